import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { openRouterFixtureModels } from '../../testkit/openrouter-fixture.js';
import { type CliResult, cliMainFile, runCli } from '../../testkit/run-cli.js';

const openRouterKey = 'sk-or-v1-setup-test-key-0123456789abcdef';
let openRouter: FakeUpstream;
let ollama: FakeUpstream;
let nowhere: string;
const homes: string[] = [];

function newHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-setup-'));
  homes.push(home);
  return home;
}

/** Runs the CLI from source in `home`, stdin not a terminal. */
function cli(home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(home, args, env);
}

beforeAll(async () => {
  openRouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  ollama = await startFakeUpstream({ flavor: 'ollama', models: ['llama3.2:3b'] });
  nowhere = await closedPortOrigin();
});
afterAll(async () => {
  await openRouter.close();
  await ollama.close();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

const scripted = () => [
  'setup',
  '--non-interactive',
  '--local',
  '--ollama-url',
  ollama.baseUrl,
  '--llamacpp-url',
  `${nowhere}/v1`,
  '--openrouter',
  '--openrouter-url',
  openRouter.baseUrl,
];

describe('tta-models setup, non-interactive', () => {
  it('detects local servers, checks and stores the key, writes a valid config, recommends free models', async () => {
    const home = newHome();
    const result = await cli(home, [...scripted(), '--openrouter-key-env', 'OR_KEY', '--json'], {
      OR_KEY: openRouterKey,
    });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const file = path.join(home, 'config.yaml');
    expect(summary).toMatchObject({
      file,
      written: true,
      providers: [
        { id: 'ollama', type: 'ollama', baseUrl: ollama.baseUrl },
        { id: 'openrouter', type: 'openrouter', baseUrl: openRouter.baseUrl },
      ],
      detected: [
        { kind: 'ollama', found: true, models: ['llama3.2:3b'] },
        { kind: 'llama.cpp', found: false },
      ],
      keys: [{ providerId: 'openrouter', status: 'valid' }],
    });
    expect(summary.recommendations.free[0]).toBe(
      'openrouter/meta-llama/llama-3.3-70b-instruct:free',
    );
    expect(summary.recommendations.freeLimits).toContain('20 requests a minute');
    expect(summary.backup).toBeUndefined();

    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(openRouterKey);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const check = await cli(home, ['config', 'check', '--json']);
    expect(check.code).toBe(0);
    const keys = JSON.parse((await cli(home, ['keys', 'list', '--json'])).stdout).keys;
    expect(keys).toEqual([
      expect.objectContaining({ providerId: 'openrouter', owner: 'operator', last4: 'cdef' }),
    ]);
    // The catalog was read during setup: free models list at once, with limits from the key.
    const free = await cli(home, ['models', '--free', '--offline', '--json']);
    const { models, meta } = JSON.parse(free.stdout);
    expect(models.length).toBe(14);
    expect(meta.freeLimits[0].source).toBe('account');
  });

  it('keeps the rest of an existing config, replacing only the providers it sets up', async () => {
    const home = newHome();
    const file = path.join(home, 'config.yaml');
    const before = [
      '# my gateway',
      'server:',
      '  port: 9999 # chosen by hand',
      'providers:',
      '  - id: claude',
      '    type: anthropic',
      '  - id: openrouter',
      '    type: openrouter',
      '    baseUrl: https://old.example/api/v1',
      '',
    ].join('\n');
    fs.writeFileSync(file, before, { mode: 0o600 });
    const result = await cli(home, [
      'setup',
      '--openrouter',
      '--openrouter-url',
      openRouter.baseUrl,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote ${file} with openrouter.`);
    expect(result.stdout).toContain('Recommended free models:');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# my gateway');
    expect(text).toContain('port: 9999 # chosen by hand');
    expect(text).toMatch(/- id: claude\n\s+type: anthropic/);
    expect(text).toContain(`baseUrl: ${openRouter.baseUrl}`);
    expect(text).not.toContain('old.example');
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe(before);
  });

  it('refuses a key the provider rejects, and then writes and stores nothing', async () => {
    const strict = await startFakeUpstream({
      flavor: 'openrouter',
      expectApiKey: 'sk-or-v1-the-only-right-key-000000000',
    });
    try {
      const home = newHome();
      const result = await cli(
        home,
        [
          'setup',
          '--openrouter',
          '--openrouter-url',
          strict.baseUrl,
          '--openrouter-key-env',
          'OR_KEY',
        ],
        { OR_KEY: openRouterKey },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: The key was not saved: OpenRouter rejected the key \(401: .*\); make a new key at https:\/\/openrouter\.ai\/settings\/keys/m,
      );
      expect(result.stderr).not.toContain(openRouterKey);
      expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);
      const keys = await cli(home, ['keys', 'list', '--json']);
      expect(JSON.parse(keys.stdout).keys).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('prints the config without writing it on --dry-run, and says what is missing', async () => {
    const home = newHome();
    const dry = await cli(home, [...scripted(), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('# tta-models configuration, written by `tta-models setup`');
    expect(dry.stdout).toMatch(/providers:\n {2}- id: ollama\n {4}type: ollama/);
    expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);

    const nothing = await cli(home, ['setup', '--non-interactive']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain(
      'nothing to set up: pass --local, --openrouter or --custom-type',
    );
    const unset = await cli(home, [
      'setup',
      '--openrouter',
      '--openrouter-key-env',
      'NOT_SET_ANYWHERE',
    ]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('--openrouter-key-env names NOT_SET_ANYWHERE, which is not set');
    const noTerminal = await cli(home, ['setup']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('setup asks questions and needs a terminal');
  });
});

/** Strips terminal escape sequences, leaving the text a person would read. */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what is removed
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r/g, '');
}

/** Runs the CLI in a pseudo-terminal (util-linux `script`), typing as a person would. */
function inTerminal(home: string, args: string[]) {
  const command = [process.execPath, '--import', 'tsx', cliMainFile, ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qefc', `stty cols 120 rows 50; exec ${command}`, '/dev/null'], {
    env: { ...process.env, TTA_MODELS_HOME: home, TTA_MODELS_ADMIN_TOKEN: '', TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let seen = 0;
  return {
    exited,
    output: () => plain(output),
    /** Resolves once `text` appears after what was waited for before. */
    waitFor(text: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const at = plain(output).indexOf(text, seen);
          if (at >= 0) {
            seen = at + text.length;
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        exited.then(() => {
          check();
          if (listeners.has(check)) {
            listeners.delete(check);
            reject(new Error(`exited before showing "${text}":\n${plain(output)}`));
          }
        });
        check();
      });
    },
    type(keys: string) {
      child.stdin.write(keys);
    },
  };
}

/** util-linux `script` gives the CLI a pseudo-terminal; without it the terminal tests cannot run. */
const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)(
  'tta-models setup, interactive in a terminal (util-linux script)',
  () => {
    it('walks a new user from a fresh home to a written config, a stored key and a chosen free model', async () => {
      const home = newHome();
      const terminal = inTerminal(home, [
        'setup',
        '--ollama-url',
        ollama.baseUrl,
        '--llamacpp-url',
        `${nowhere}/v1`,
        '--openrouter-url',
        openRouter.baseUrl,
      ]);
      await terminal.waitFor('tta-models setup');
      await terminal.waitFor('ollama at');
      await terminal.waitFor('Where should models come from?');
      terminal.type('\r'); // local (Ollama was found) and OpenRouter are preselected
      await terminal.waitFor('OpenRouter API key');
      terminal.type(`${openRouterKey}\r`);
      await terminal.waitFor('OpenRouter accepted the key');
      await terminal.waitFor('Which free model should TTA use first?');
      terminal.type('\r');
      await terminal.waitFor('About free models');
      await terminal.waitFor('Write ');
      terminal.type('\r');
      expect(await terminal.exited).toBe(0);

      const output = terminal.output();
      expect(output).toContain('Memory ');
      expect(output).toContain('llama.cpp: not found at');
      expect(output).toContain('is free: this account has bought credits, so free models allow');
      expect(output).toContain('Send model: "openrouter/meta-llama/llama-3.3-70b-instruct:free"');
      expect(output).not.toContain(openRouterKey);
      const text = fs.readFileSync(path.join(home, 'config.yaml'), 'utf8');
      expect(text).toMatch(/- id: ollama\n\s+type: ollama/);
      expect(text).toMatch(/- id: openrouter\n\s+type: openrouter/);
      expect(text).not.toContain(openRouterKey);
      const keys = JSON.parse((await cli(home, ['keys', 'list', '--json'])).stdout).keys;
      expect(keys).toEqual([
        expect.objectContaining({ providerId: 'openrouter', status: 'valid' }),
      ]);
    });

    it('writes nothing when the user cancels', async () => {
      const home = newHome();
      const terminal = inTerminal(home, [
        'setup',
        '--ollama-url',
        `${nowhere}`,
        '--llamacpp-url',
        `${nowhere}/v1`,
        '--openrouter-url',
        openRouter.baseUrl,
      ]);
      await terminal.waitFor('Where should models come from?');
      terminal.type('\u0003'); // Ctrl-C
      expect(await terminal.exited).toBe(1);
      expect(terminal.output()).toContain('Setup cancelled; nothing was written.');
      expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);
    });
  },
);
