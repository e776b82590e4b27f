import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHuggingFace, startFakeHuggingFace } from '../../testkit/fake-hugging-face.js';
import { type CliResult, runCli } from '../../testkit/run-cli.js';
import { writeTinyGguf } from '../../testkit/tiny-gguf.js';

let home: string;
let hub: FakeHuggingFace;
let configFile: string;

/** Runs the CLI as a user would, from source, in its own home folder. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args, { HF_TOKEN: '' });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-cli-local-'));
  hub = await startFakeHuggingFace();
  const model = path.join(home, 'source.gguf');
  writeTinyGguf(model);
  hub.addFile('tta/tiny-GGUF', 'tiny-F32.gguf', fs.readFileSync(model));
  configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(
    configFile,
    [
      'providers:',
      '  - id: local',
      '    type: embedded',
      `    modelsDir: ${path.join(home, 'models')}`,
      `    baseUrl: ${hub.url}`,
      '    gpu: false',
      '    contextSize: 256',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await hub.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models local-model commands', () => {
  it('shows this machine truthfully', async () => {
    const result = await cli('resources', '--json', '--config', configFile);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.snapshot.memory.totalBytes).toBe(os.totalmem());
    expect(report.snapshot.cpu.logicalCores).toBe(os.cpus().length);
    expect(report.snapshot.memory.availableBytes).toBeGreaterThan(0);
    expect(report.snapshot.disk.path).toBe(path.join(home, 'models'));
    expect(report.available.ramBytes).toBeLessThan(report.snapshot.memory.availableBytes);
  });

  it('pulls a GGUF file from the hub with progress on stderr, then lists it with its needs', async () => {
    const pulled = await cli(
      'pull',
      'hf:tta/tiny-GGUF/tiny-F32.gguf',
      '--json',
      '--config',
      configFile,
    );
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ model: 'local/tiny-F32', upToDate: false });
    expect(pulled.stderr).toContain('downloading 100%');
    expect(fs.existsSync(path.join(home, 'models', 'tiny-F32.gguf'))).toBe(true);

    const listed = await cli('local', '--json', '--config', configFile);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).models).toMatchObject([
      { name: 'local/tiny-F32', family: 'llama', fits: 'yes', need: { contextSize: 256 } },
    ]);
  });
});
