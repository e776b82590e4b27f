import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../../testkit/start-test-gateway.js';
import { writeTinyGguf } from '../../../testkit/tiny-gguf.js';
import type { SystemProbe, SystemSnapshot } from '../../resources/system-probe.js';

const GiB = 2 ** 30;
let modelsDir: string;
let cloud: FakeUpstream;
let test: TestGateway;
let client: OpenAI;
const logLines: string[] = [];
let availableBytes = 8 * GiB;

/** This "machine" has 16 GiB, of which `availableBytes` are free: the test moves it. */
const probe: SystemProbe = {
  async snapshot(): Promise<SystemSnapshot> {
    return {
      takenAt: Date.now(),
      memory: { totalBytes: 16 * GiB, availableBytes, usedBytes: 16 * GiB - availableBytes },
      process: { rssBytes: process.memoryUsage().rss, heapUsedBytes: 0 },
      cpu: { model: 'test', logicalCores: 2, physicalCores: 2, loadAverage1m: 0 },
      gpus: [],
    };
  },
};

// The chat template's default system prompt would not fit the tiny model's 256 tokens.
const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Describe the cave.' },
];

async function admin(route: string, init: RequestInit = {}) {
  const response = await fetch(`${test.url}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${test.adminToken}`, ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-gguf-'));
  writeTinyGguf(path.join(modelsDir, 'tiny.gguf'));
  cloud = await startFakeUpstream({ flavor: 'openai' });
  test = await startTestGateway(
    {
      providers: [
        {
          id: 'local',
          type: 'embedded',
          modelsDir,
          gpu: false,
          threads: 1,
          contextSize: 256,
          keepAliveSeconds: -1,
        },
        { id: 'cloud', type: 'openai-compatible', baseUrl: cloud.baseUrl },
      ],
      resources: { safetyMargin: 0, pressureThreshold: '1GiB' },
    },
    { logLines, probe },
  );
  client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await test.close();
  await cloud.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

describe('an embedded GGUF model behind the gateway', () => {
  it('is listed by /v1/models as local/tiny', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('local/tiny');
  });

  it('answers /v1/chat/completions with real llama.cpp inference', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'local/tiny', messages, max_tokens: 8 })
      .withResponse();
    expect(response.headers.get('x-tta-model')).toBe('local/tiny');
    expect(typeof data.choices[0]?.message.content).toBe('string');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeLessThanOrEqual(8);
  });

  it('streams tokens over SSE', async () => {
    const stream = await client.chat.completions.create({
      model: 'local/tiny',
      messages,
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('reports the machine, the loaded model and its estimate to the admin', async () => {
    const resources = await admin('/api/resources');
    expect(resources.status).toBe(200);
    expect(resources.body.snapshot.memory.availableBytes).toBe(availableBytes);
    expect(resources.body.loaded).toMatchObject([{ providerId: 'local', id: 'tiny' }]);
    const local = await admin('/api/local-models');
    expect(local.body.models).toMatchObject([
      {
        name: 'local/tiny',
        family: 'llama',
        loaded: true,
        fits: 'yes',
        need: { contextSize: 256, basis: 'gguf-metadata' },
      },
    ]);
    const metrics = await (await fetch(`${test.url}/metrics`)).text();
    expect(metrics).toContain('tta_models_local_models_loaded{provider="local"} 1');
  });

  it('feeds live samples to the dashboard over SSE', async () => {
    const controller = new AbortController();
    const response = await fetch(`${test.url}/api/resources/stream`, {
      headers: { authorization: `Bearer ${test.adminToken}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text.startsWith('event: sample\ndata: ')).toBe(true);
    const sample = JSON.parse(text.split('\n')[1]?.slice('data: '.length) ?? '{}');
    expect(sample).toMatchObject({ memory: { availableBytes }, underPressure: false });
    expect(sample.loaded).toMatchObject([{ id: 'tiny' }]);
  });

  it('unloads idle models when memory runs short, and logs what it did', async () => {
    availableBytes = 512 * 2 ** 20;
    await test.gateway.resources.monitor.sample();
    expect((await admin('/api/resources')).body.loaded).toEqual([]);
    const incident = logLines.find((line) => line.includes('"incident":"memory_pressure"'));
    expect(incident).toContain('unloaded idle models local/tiny');
    expect((await admin('/api/resources')).body.incidents).toMatchObject([
      { kind: 'memory_pressure', unloaded: ['local/tiny'] },
    ]);
  });

  it('refuses to load a model that does not fit, naming a cloud model instead', async () => {
    availableBytes = 64 * 1024;
    const response = await fetch(`${test.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local/tiny', messages, max_tokens: 4 }),
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: Record<string, any> };
    expect(body.error.code).toBe('insufficient_resources');
    expect(body.error.message).toContain('Not enough memory to load local/tiny');
    expect(body.error.recommendations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'cloud-model', model: 'cloud/gpt-4o-mini' }),
      ]),
    );
    availableBytes = 8 * GiB;
  });

  it('unloads a model on request', async () => {
    await client.chat.completions.create({ model: 'local/tiny', messages, max_tokens: 2 });
    const unloaded = await admin('/api/local-models/unload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local/tiny' }),
    });
    expect(unloaded.body).toEqual({ model: 'local/tiny', unloaded: true });
  });
});
