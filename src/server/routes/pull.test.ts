import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHuggingFace, startFakeHuggingFace } from '../../../testkit/fake-hugging-face.js';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../../testkit/start-test-gateway.js';
import { writeTinyGguf } from '../../../testkit/tiny-gguf.js';
import { parseSse } from '../../providers/sse.js';

/**
 * `POST /api/local-models/pull` over HTTP against a fake Hugging Face hub and a fake
 * Ollama: progress as server-sent events then the result, bad input refused before the
 * stream starts, a corrupt download reported as an error event, a client that goes away
 * stopping the download with its `.part` kept for a resume.
 */
let hub: FakeHuggingFace;
let ollama: FakeUpstream;
let test: TestGateway;
let modelsDir: string;
let ggufBytes: Buffer;
const other = randomBytes(600_000);

interface Event {
  event: string | undefined;
  data: Record<string, any>;
}

beforeAll(async () => {
  hub = await startFakeHuggingFace();
  ollama = await startFakeUpstream({ flavor: 'ollama' });
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-pull-route-'));
  const source = path.join(modelsDir, '..', `${path.basename(modelsDir)}-source.gguf`);
  writeTinyGguf(source);
  ggufBytes = fs.readFileSync(source);
  fs.rmSync(source);
  hub.addFile('tta/tiny-GGUF', 'tiny-F32.gguf', ggufBytes);
  for (const name of ['corrupt.gguf', 'slow.gguf', 'checked.gguf'])
    hub.addFile('tta/other-GGUF', name, other);
  test = await startTestGateway({
    providers: [
      { id: 'local', type: 'embedded', modelsDir, baseUrl: hub.url, gpu: false, contextSize: 256 },
      { id: 'ollama', type: 'ollama', baseUrl: ollama.origin },
    ],
  });
});
afterAll(async () => {
  await test?.close();
  await hub?.close();
  await ollama?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

function post(body: unknown, init: { token?: string; signal?: AbortSignal } = {}) {
  return fetch(`${test.url}/api/local-models/pull`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${init.token ?? test.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

async function* eventsOf(response: Response): AsyncGenerator<Event> {
  const body = response.body as unknown as AsyncIterable<Buffer>;
  for await (const event of parseSse(body)) {
    yield { event: event.event, data: JSON.parse(event.data) };
  }
}

async function pull(body: unknown): Promise<{ response: Response; events: Event[] }> {
  const response = await post(body);
  const events: Event[] = [];
  for await (const event of eventsOf(response)) events.push(event);
  return { response, events };
}

describe('POST /api/local-models/pull', () => {
  it('streams progress from the hub, then the pulled model, which the list then shows', async () => {
    // Slowly enough that several progress events go out (at most ten a second).
    hub.paceNextDownload(64 * 1024, 150);
    const { response, events } = await pull({ model: 'hf:tta/tiny-GGUF/tiny-F32.gguf' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: expect.objectContaining({
        model: 'local/tiny-F32',
        served: true,
        bytes: ggufBytes.length,
        upToDate: false,
        resumed: false,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    });
    const progress = events.slice(0, -1);
    expect(new Set(progress.map((event) => event.event))).toEqual(new Set(['progress']));
    expect(progress[0]?.data).toEqual({
      receivedBytes: null,
      totalBytes: null,
      status: 'resolving tta/tiny-GGUF/tiny-F32.gguf',
    });
    const downloading = progress
      .map((event) => event.data)
      .filter((data) => data.status === 'downloading');
    expect(downloading.length).toBeGreaterThanOrEqual(3);
    const received = downloading.map((data) => data.receivedBytes as number);
    expect(received).toEqual([...received].sort((left, right) => left - right));
    expect(received[0]).toBeLessThan(ggufBytes.length);
    expect(downloading.at(-1)).toEqual({
      status: 'downloading',
      receivedBytes: ggufBytes.length,
      totalBytes: ggufBytes.length,
    });
    expect(progress.map((event) => event.data.status)).toContain('verifying sha256');
    expect(progress.at(-1)?.data.status).toBe('success');
    expect(fs.readFileSync(path.join(modelsDir, 'tiny-F32.gguf')).equals(ggufBytes)).toBe(true);

    const listed = await fetch(`${test.url}/api/local-models`, {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    const { models } = (await listed.json()) as { models: Array<Record<string, unknown>> };
    expect(models).toContainEqual(
      expect.objectContaining({ name: 'local/tiny-F32', family: 'llama', loaded: false }),
    );

    // Pulling it again confirms it without downloading.
    const again = await pull({ model: 'hf:tta/tiny-GGUF/tiny-F32.gguf' });
    expect(again.events.at(-1)?.data).toMatchObject({ model: 'local/tiny-F32', upToDate: true });
  });

  it('refuses bad input with a 400 that says what to send, before any stream', async () => {
    const cases: Array<[unknown, RegExp, string | null]> = [
      [{}, /model is required\. Send \{"model": "hf:<user>\/<repo>\/<file>\.gguf"/, 'model'],
      [{ model: 'hf:nobody/file.bin' }, /Write hf:<user>\/<repo>\/<file>\.gguf/, null],
      [{ model: 'llama3.2' }, /is not a model to pull\. Write hf:/, 'model'],
      [{ model: 'nowhere/llama3.2' }, /names no configured provider/, 'model'],
      [{ model: 'local/tiny-F32' }, /embedded: it takes files from Hugging Face/, 'model'],
      [
        { model: 'hf:tta/tiny-GGUF/tiny-F32.gguf', sha256: 'abc' },
        /sha256 must be the file's 64 hexadecimal digits/,
        'sha256',
      ],
      [
        { model: 'hf:tta/tiny-GGUF/tiny-F32.gguf', provider: 'ollama' },
        /no embedded provider "ollama".*name one of local/,
        'provider',
      ],
      [{ model: 'ollama/llama3.2', sha256: 'a'.repeat(64) }, /applies to hf: files only/, 'sha256'],
      [{ model: 'ollama/llama3.2', checksum: 'x' }, /Unknown field checksum\. Send/, null],
    ];
    for (const [body, message, param] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/json');
      const { error } = (await answer.json()) as { error: Record<string, unknown> };
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toMatch(message);
      expect(error.param, JSON.stringify(error)).toBe(param);
    }
    const user = await fetch(`${test.url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${test.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'player' }),
    });
    const { token } = (await user.json()) as { token: string };
    expect((await post({ model: 'ollama/llama3.2' }, { token })).status).toBe(403);
  });

  it('ends with an error event when the file does not match its checksum', async () => {
    const { response, events } = await pull({
      model: 'hf:tta/other-GGUF/corrupt.gguf',
      sha256: '0'.repeat(64),
    });
    expect(response.status).toBe(200);
    expect(events.filter((event) => event.event === 'done')).toEqual([]);
    expect(events.at(-2)?.data.status).toBe('verifying sha256');
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: {
        error: expect.objectContaining({
          type: 'upstream_error',
          code: 'checksum_mismatch',
          message: expect.stringMatching(/is corrupt: expected sha256 0{64}.*run the pull again/),
        }),
      },
    });
    expect(fs.readdirSync(modelsDir).filter((name) => name.startsWith('corrupt'))).toEqual([]);

    // With the right checksum (upper case is fine) the same kind of file arrives.
    const right = await pull({
      model: 'hf:tta/other-GGUF/checked.gguf',
      sha256: createHash('sha256').update(other).digest('hex').toUpperCase(),
    });
    expect(right.events.at(-1)).toMatchObject({ event: 'done', data: { model: 'local/checked' } });
  });

  it('stops the download when the client goes away, keeping the .part for a resume', async () => {
    hub.paceNextDownload(32 * 1024, 60);
    const controller = new AbortController();
    const response = await post(
      { model: 'hf:tta/other-GGUF/slow.gguf' },
      { signal: controller.signal },
    );
    const stream = eventsOf(response);
    for (;;) {
      const { value } = await stream.next();
      if (value?.data.status === 'downloading' && value.data.receivedBytes > 0) break;
    }
    // A second pull of the same file while this one runs is refused.
    const twice = await post({ model: 'hf:tta/other-GGUF/slow.gguf' });
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe(
      'pull_in_progress',
    );

    controller.abort();
    await stream.return(undefined).catch(() => {});
    await expect.poll(() => hub.abandonedDownloads, { timeout: 5_000 }).toBe(1);
    const part = path.join(modelsDir, 'slow.gguf.part');
    await expect.poll(() => fs.existsSync(part)).toBe(true);
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(other.length);
    expect(fs.existsSync(path.join(modelsDir, 'slow.gguf'))).toBe(false);

    // The next pull resumes from the part (the pull is free again once the first stopped).
    await expect
      .poll(async () => {
        const { events } = await pull({ model: 'hf:tta/other-GGUF/slow.gguf' });
        return events.at(-1);
      })
      .toMatchObject({ event: 'done', data: { model: 'local/slow', resumed: true } });
    const ranged = hub.requests.filter(
      (request) => request.method === 'GET' && request.headers.range !== undefined,
    );
    expect(ranged.at(-1)?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(fs.readFileSync(path.join(modelsDir, 'slow.gguf')).equals(other)).toBe(true);
  });

  it('pulls into Ollama with its progress, and reports what Ollama refuses', async () => {
    const { events } = await pull({ model: 'ollama/llama3.2:1b' });
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: { model: 'ollama/llama3.2:1b', served: true },
    });
    expect(events.map((event) => event.data.status)).toContain('pulling manifest');
    expect(events.map((event) => event.data)).toContainEqual({
      status: 'pulling abababababab',
      receivedBytes: 1_000_000,
      totalBytes: 1_000_000,
    });

    const missing = await pull({ model: 'ollama/missing-model' });
    expect(missing.events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { message: expect.stringContaining('file does not exist') } },
    });
  });
});
