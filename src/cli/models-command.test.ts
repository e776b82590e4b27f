import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { openRouterFixtureModels } from '../../testkit/openrouter-fixture.js';
import { type CliResult, runCli } from '../../testkit/run-cli.js';

let home: string;
let openRouter: FakeUpstream;
let ollama: FakeUpstream;
let configFile: string;

/** Runs the CLI as a user would, from source, in its own home folder. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args);
}

function writeConfig(name: string, openRouterUrl: string): string {
  const file = path.join(home, name);
  fs.writeFileSync(
    file,
    [
      'providers:',
      '  - id: openrouter',
      '    type: openrouter',
      `    baseUrl: ${openRouterUrl}`,
      '  - id: ollama',
      '    type: ollama',
      `    baseUrl: ${ollama.baseUrl}`,
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-cli-catalog-'));
  openRouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  ollama = await startFakeUpstream({ flavor: 'ollama', models: ['llama3.2:3b'] });
  configFile = writeConfig('catalog.yaml', openRouter.baseUrl);
});
afterAll(async () => {
  await openRouter.close();
  await ollama.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models models', () => {
  it('syncs the catalog and says what it stored', async () => {
    const result = await cli('models', 'sync', '--config', configFile);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PROVIDER\s+RESULT\s+MODELS\s+ADDED/);
    expect(result.stdout).toMatch(/openrouter\s+synced\s+34\s+34\s+0\s+0\s+1/);
    expect(result.stdout).toMatch(/ollama\s+synced\s+1\s+1/);
  });

  it('lists free models in one command, marked, with their limits', async () => {
    const result = await cli('models', '--free', '--config', configFile);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+COST \$\/1M IN\/OUT\s+CONTEXT\s+READS\s+NOTES$/);
    expect(result.stdout).toMatch(
      /openrouter\/meta-llama\/llama-3\.3-70b-instruct:free\s+FREE\s+65,536\s+text\s+tools/,
    );
    expect(result.stdout).toMatch(/ollama\/llama3\.2:3b\s+FREE \(local\)/);
    expect(result.stdout).not.toContain('openai/gpt-4o-mini');
    expect(result.stdout).toContain(
      'Free openrouter models: free models allow 20 requests a minute and 50 a day (1,000 a day once the account has bought at least 10 credits), shared by all free models.',
    );
    expect(result.stderr).toBe('');
  });

  it('filters by context, price, provider and parameters, as JSON', async () => {
    const result = await cli(
      'models',
      '--json',
      '--min-context',
      '1000000',
      '--max-price',
      '1',
      '--provider',
      'openrouter',
      '--requires',
      'json',
      '--sort',
      'price',
      '--config',
      configFile,
    );
    expect(result.code).toBe(0);
    const { models, meta, problems } = JSON.parse(result.stdout);
    expect(models.map((model: { name: string }) => model.name)).toEqual([
      'openrouter/openai/gpt-4.1-nano',
    ]);
    expect(models[0]).toMatchObject({
      displayName: 'OpenAI: GPT-4.1 Nano',
      pricing: { prompt: 0.0000001, completion: 0.0000004 },
      providerType: 'openrouter',
    });
    expect(meta).toMatchObject({ total: 35, shown: 1, offline: false });
    expect(problems).toEqual([]);
  });

  it('keeps browsing with OpenRouter down, flagged offline with the age of the catalog', async () => {
    const down = writeConfig('down.yaml', `${await closedPortOrigin()}/api/v1`);
    const result = await cli('models', '--refresh', '--search', 'rocinante', '--config', down);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('openrouter/thedrummer/rocinante-12b');
    expect(result.stderr).toMatch(
      /^note: openrouter: offline, cached at \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\); the last sync failed: openrouter: could not download its models/m,
    );
    const sync = await cli('models', 'sync', '--config', down);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(
      /^error: openrouter: could not download its models: .*\(kept the catalog of /m,
    );
  });

  it('shows one free model with its limits and the nearest alternatives', async () => {
    const result = await cli(
      'models',
      'show',
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
      '--config',
      configFile,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/context\s+131,072/);
    expect(result.stdout).toContain(
      'Warning: openrouter/meta-llama/llama-3.1-8b-instruct:free is free: free models allow 20 requests a minute',
    );
    expect(result.stdout).toContain(
      '  - openrouter/meta-llama/llama-3.1-8b-instruct: the same model without free-tier limits',
    );
    expect(result.stdout).toContain(
      '  - ollama/llama3.2:3b: runs on this machine: no limits, no cost, nothing leaves it',
    );
  });

  it('says what is wrong with a filter, and points to setup when no provider is configured', async () => {
    const bad = await cli('models', '--free', '--paid', '--config', configFile);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--free' cannot be used with option '--paid'");
    const badSort = await cli('models', '--sort', 'cheapest', '--config', configFile);
    expect(badSort.code).not.toBe(0);
    expect(badSort.stderr).toContain('Allowed choices are default, name, price, context, newest');

    const empty = path.join(home, 'empty.yaml');
    fs.writeFileSync(empty, 'providers: []\n');
    const result = await cli('models', '--config', empty);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\(none\)/);
    expect(result.stderr).toContain(
      'note: No model provider is configured. Run `tta-models setup` to choose local models',
    );
  });
});
