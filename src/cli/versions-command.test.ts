import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { openRouterFixtureModels } from '../../testkit/openrouter-fixture.js';
import { type CliResult, runCli } from '../../testkit/run-cli.js';

const small = 'openrouter/meta-llama/llama-3.1-8b-instruct';
const large = 'openrouter/meta-llama/llama-3.3-70b-instruct';
const free = 'openrouter/meta-llama/llama-3.1-8b-instruct:free';
let home: string;
let configFile: string;
let openrouter: FakeUpstream;

/** Runs the CLI as an administrator would, from source, in its own home folder. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args);
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-versions-cli-'));
  openrouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(
    configFile,
    `# kept through migrations
providers:
  - id: openrouter
    type: openrouter
    baseUrl: ${openrouter.baseUrl}
routes:
  story:
    models: [${small}, ${large}] # the narrator
`,
  );
});
afterAll(async () => {
  await openrouter.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models versions', () => {
  it('syncs, pins and promotes', async () => {
    const check = await cli('versions', 'check', '--json');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).notices).toEqual([]);

    const pin = await cli(
      'versions',
      'pin',
      'route:story',
      small,
      '--reason',
      'the tested narrator',
    );
    expect(pin.code).toBe(0);
    expect(pin.stdout).toMatch(
      /^route:story pinned: nothing → openrouter\/meta-llama\/llama-3\.1-8b-instruct /,
    );

    const promote = await cli(
      'versions',
      'promote',
      'route:story',
      '--to',
      large,
      '--reason',
      'better',
    );
    expect(promote.code).toBe(0);
    expect(promote.stdout).toContain(`route:story promoted: ${small}`);
  });

  it('rolls back in one command, and says why it cannot go further', async () => {
    const rollback = await cli('versions', 'rollback', 'route:story', '--reason', 'too slow');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(
      new RegExp(`^route:story rolled back: ${large} .* → ${small} `),
    );

    const noReason = await cli('versions', 'rollback', 'route:story');
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain("required option '-r, --reason <why>' not specified");

    const further = await cli('versions', 'rollback', 'route:story', '--reason', 'again');
    expect(further.code).toBe(1);
    expect(further.stderr).toContain('has no earlier pin to return to');
  });

  it('migrates the routes of config.yaml and the pins, keeping comments and a .bak', async () => {
    const before = fs.readFileSync(configFile, 'utf8');
    const migrate = await cli('versions', 'migrate', small, '--to', free, '--reason', 'save money');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain(`moved ${small} → ${free}: routes story`);
    expect(migrate.stdout).toContain('restart it');
    expect(fs.readFileSync(configFile, 'utf8')).toBe(before.replace(`[${small},`, `[${free},`));
    expect(fs.readFileSync(`${configFile}.bak`, 'utf8')).toBe(before);

    const audit = await cli('versions', 'audit', '--json');
    const entries = JSON.parse(audit.stdout).entries as Array<{
      actor: string;
      channel: string;
      action: string;
      subject: string;
      reason: string;
    }>;
    expect(entries.map((entry) => [entry.action, entry.subject, entry.reason])).toEqual([
      ['versions.migrate', small, 'save money'],
      ['versions.migrate', 'route:story', 'save money'],
      ['versions.rollback', 'route:story', 'too slow'],
      ['versions.promote', 'route:story', 'better'],
      ['versions.pin', 'route:story', 'the tested narrator'],
    ]);
    expect(
      entries.every((entry) => entry.channel === 'cli' && entry.actor.startsWith('admin')),
    ).toBe(true);

    const pins = JSON.parse((await cli('versions', 'pins', '--json')).stdout).pins;
    expect(pins).toEqual([
      expect.objectContaining({ subject: 'route:story', model: free, action: 'migrate' }),
    ]);
  });
});
