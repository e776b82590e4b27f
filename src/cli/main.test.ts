import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { type CliResult, runCli } from '../../testkit/run-cli.js';

let home: string;
let fake: FakeUpstream;
let configFile: string;

/** Runs the CLI as a user would, from source, in its own home folder. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args);
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-cli-'));
  fake = await startFakeUpstream({ flavor: 'openai' });
  configFile = path.join(home, 'custom.yaml');
  fs.writeFileSync(
    configFile,
    `providers:\n  - id: up\n    type: openai-compatible\n    baseUrl: ${fake.baseUrl}\n`,
  );
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models CLI', () => {
  it('prints help listing its commands', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const command of ['serve', 'models', 'providers', 'requests', 'config', 'admin-token']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('creates a starter config on first use and validates it', async () => {
    const result = await cli('config', 'check', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: true, file: path.join(home, 'config.yaml') });
    expect(report.providers.map((provider: { id: string }) => provider.id)).toEqual([
      'ollama',
      'openrouter',
    ]);
    expect(fs.statSync(path.join(home, 'config.yaml')).mode & 0o777).toBe(0o600);
  });

  it('reports an invalid config on stderr with a non-zero exit and nothing on stdout', async () => {
    const bad = path.join(home, 'bad.yaml');
    fs.writeFileSync(bad, 'providers:\n  - id: x\n    type: gpt\n');
    const result = await cli('config', 'check', '--json', '--config', bad);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(bad);
    expect(result.stderr).toContain('providers[0].type: expected one of');
  });

  it('lists models as JSON', async () => {
    const result = await cli('models', '--json', '--config', configFile);
    expect(result.code).toBe(0);
    const { models, problems } = JSON.parse(result.stdout);
    expect(models.map((model: { name: string }) => model.name)).toEqual([
      'up/gpt-4o-mini',
      'up/gpt-4o',
    ]);
    expect(problems).toEqual([]);
  });

  it('shows provider health as a table', async () => {
    const result = await cli('providers', '--config', configFile);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PROVIDER\s+TYPE\s+HEALTH/);
    expect(result.stdout).toMatch(/up\s+openai-compatible\s+up\s+\d+ ms/);
  });

  it('rotates the admin token, a new one each time', async () => {
    const first = JSON.parse((await cli('admin-token', '--rotate', '--json')).stdout).adminToken;
    const second = JSON.parse((await cli('admin-token', '--rotate', '--json')).stdout).adminToken;
    expect(first).toMatch(/^tta_admin_/);
    expect(second).not.toBe(first);
  });

  it('lists recorded requests as JSON (none yet)', async () => {
    const result = await cli('requests', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ requests: [] });
  });

  it('shows which models a task goes to, and explains a task nothing qualifies for', async () => {
    const chosen = await cli('select', '--task', 'general_chat', '--json', '--config', configFile);
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout).chain).toEqual(['up/gpt-4o', 'up/gpt-4o-mini']);
    const none = await cli('select', '--task', 'crisis_screening', '--config', configFile);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No model can serve crisis_screening');
    expect(none.stdout).toMatch(/up\/gpt-4o\s+safety: never benchmarked/);
  });

  it('rejects a bad port and refuses a public address without client keys', async () => {
    const badPort = await cli('serve', '--port', 'eighty');
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toContain('expected a port number');
    const exposed = await cli('serve', '--config', configFile, '--host', '0.0.0.0', '--port', '0');
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain('Refusing to listen on 0.0.0.0');
  });
});
