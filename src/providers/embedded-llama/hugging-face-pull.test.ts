import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeHuggingFace, startFakeHuggingFace } from '../../../testkit/fake-hugging-face.js';
import type { PullProgress } from '../../spec/local-model.js';
import { type PullGgufOptions, pullGguf } from './hugging-face-pull.js';

let hub: FakeHuggingFace;
let modelsDir: string;
const bytes = randomBytes(300_000);
let sha256: string;
const reference = 'hf:tta/tiny-GGUF/tiny-Q8_0.gguf';

function pull(options: Partial<PullGgufOptions> = {}) {
  return pullGguf({ reference, modelsDir, hubUrl: hub.url, env: {}, ...options });
}

const storageGets = () =>
  hub.requests.filter(
    (request) => request.method === 'GET' && request.path.startsWith('/storage/'),
  );

beforeAll(async () => {
  hub = await startFakeHuggingFace();
  sha256 = hub.addFile('tta/tiny-GGUF', 'tiny-Q8_0.gguf', bytes);
});
beforeEach(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-pull-'));
  (hub.requests as unknown[]).length = 0;
});
afterEach(() => fs.rmSync(modelsDir, { recursive: true, force: true }));
afterAll(() => hub.close());

describe('pulling a GGUF file from Hugging Face', () => {
  it('downloads it with progress, checks its sha256 and renames it into place', async () => {
    const progress: PullProgress[] = [];
    const result = await pull({ onProgress: (step) => progress.push(step) });
    expect(result).toMatchObject({
      modelId: 'tiny-Q8_0',
      bytes: bytes.length,
      sha256,
      resumed: false,
    });
    expect(fs.readFileSync(path.join(modelsDir, 'tiny-Q8_0.gguf')).equals(bytes)).toBe(true);
    expect(fs.readdirSync(modelsDir)).toEqual(['tiny-Q8_0.gguf']);
    const downloading = progress.filter((step) => step.status === 'downloading');
    expect(downloading.at(-1)).toEqual({
      status: 'downloading',
      completedBytes: bytes.length,
      totalBytes: bytes.length,
    });
    expect(progress.map((step) => step.status)).toContain('verifying sha256');
    expect(progress.at(-1)?.status).toBe('success');
  });

  it('resumes with a Range request when the connection drops mid-download', async () => {
    hub.cutNextDownload(100_000);
    const result = await pull();
    expect(result.resumed).toBe(true);
    expect(storageGets().map((request) => request.headers.range)).toEqual([
      undefined,
      'bytes=100000-',
    ]);
    expect(fs.readFileSync(result.file).equals(bytes)).toBe(true);
  });

  it('keeps the .part file when it gives up, and the next pull continues from it', async () => {
    hub.cutNextDownload(120_000);
    await expect(pull({ attempts: 1 })).rejects.toMatchObject({
      code: 'download_interrupted',
      message: expect.stringContaining('Run the same pull again'),
    });
    expect(fs.statSync(path.join(modelsDir, 'tiny-Q8_0.gguf.part')).size).toBe(120_000);
    expect(fs.existsSync(path.join(modelsDir, 'tiny-Q8_0.gguf'))).toBe(false);

    const result = await pull();
    expect(result.resumed).toBe(true);
    expect(storageGets().at(-1)?.headers.range).toBe('bytes=120000-');
    expect(fs.readFileSync(result.file).equals(bytes)).toBe(true);
  });

  it('refuses a file whose sha256 does not match, and removes the partial download', async () => {
    hub.corruptNextDownload();
    await expect(pull()).rejects.toMatchObject({ code: 'checksum_mismatch' });
    expect(fs.readdirSync(modelsDir)).toEqual([]);
    await expect(pull({ sha256: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'checksum_mismatch',
      message: expect.stringContaining(`expected sha256 ${'0'.repeat(64)}`),
    });
  });

  it('does not download again a file that is already there and whole', async () => {
    await pull();
    const again = await pull();
    expect(again.upToDate).toBe(true);
    expect(storageGets()).toHaveLength(1);
  });

  it('says how to get into a gated repository, and uses HF_TOKEN', async () => {
    hub.requireToken('hf_secret_token_123');
    try {
      await expect(pull()).rejects.toMatchObject({
        message: expect.stringContaining('set HF_TOKEN'),
      });
      const result = await pull({ env: { HF_TOKEN: 'hf_secret_token_123' } });
      expect(result.bytes).toBe(bytes.length);
    } finally {
      hub.requireToken(undefined);
    }
  });

  it('explains a wrong reference and a missing file', async () => {
    await expect(pull({ reference: 'tta/tiny-GGUF/tiny.gguf' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('hf:<user>/<repo>/<file>.gguf'),
    });
    await expect(pull({ reference: 'hf:tta/tiny-GGUF/missing.gguf' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('does not exist'),
    });
  });
});
