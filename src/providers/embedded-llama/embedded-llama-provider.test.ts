import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyGguf } from '../../../testkit/tiny-gguf.js';
import { GatewayError } from '../../spec/errors.js';
import type { LocalLoadRequest, LocalModelEvent, LocalProvider } from '../../spec/local-model.js';
import { createEmbeddedLlama, type EmbeddedLlamaOptions } from './embedded-llama-provider.js';
import { createLlamaRuntime } from './llama-runtime.js';
import type { PoolTimers } from './model-pool.js';

let folder: string;
// One llama.cpp for every provider in this file: starting it is the slow part.
const runtime = createLlamaRuntime({ gpu: false, threads: 1 });
const messages = [
  // The chat template's default system prompt would not fit a 256-token context.
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Where am I?' },
];

/** Keep-alive timers that fire only when the test says so. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: PoolTimers = {
    setTimeout(callback) {
      next += 1;
      pending.set(next, callback);
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    get pending() {
      return pending.size;
    },
    fireAll() {
      const callbacks = [...pending.values()];
      pending.clear();
      for (const callback of callbacks) callback();
    },
  };
}

function provider(overrides: Partial<EmbeddedLlamaOptions> = {}): LocalProvider {
  return createEmbeddedLlama({
    id: 'local',
    modelsDir: folder,
    gpu: false,
    contextSize: 256,
    runtime,
    ...overrides,
  });
}

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-embedded-'));
  writeTinyGguf(path.join(folder, 'tiny.gguf'));
  fs.writeFileSync(path.join(folder, 'broken.gguf'), 'not a model');
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('embedded provider', () => {
  it('lists the GGUF files of its folder as models, without starting llama.cpp', async () => {
    const fresh = createLlamaRuntime({ gpu: false });
    const local = provider({ runtime: fresh });
    const models = await local.listModels();
    expect(models.map((model) => model.id)).toEqual(['broken', 'tiny']);
    expect(await local.health()).toMatchObject({ ok: true });
    expect(fresh.started).toBe(false);
  });

  it('describes each file from its GGUF header, with what it needs at the configured context', async () => {
    const described = await provider().local.listLocalModels();
    const tiny = described.find((model) => model.id === 'tiny');
    expect(tiny).toMatchObject({
      providerId: 'local',
      family: 'llama',
      quantization: 'F32',
      contextLength: 256,
      loaded: false,
      // Two blocks plus the output layer: what llama.cpp counts as offloadable.
      need: { contextSize: 256, gpuLayers: 0, totalLayers: 3, basis: 'gguf-metadata' },
    });
    expect(tiny?.need?.ramBytes).toBeGreaterThan(tiny?.need?.weightsBytes ?? 0);
    expect(tiny?.need?.kvBytesPerToken).toBeGreaterThan(0);
    expect(described.find((model) => model.id === 'broken')?.problem).toMatch(
      /not a readable GGUF/,
    );
  });

  it('answers a chat completion with real llama.cpp inference', async () => {
    const local = provider();
    const completion = await local.model('tiny').generate({
      model: 'tiny',
      messages,
      max_tokens: 6,
    });
    expect(typeof completion.choices[0]?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(completion.choices[0]?.finish_reason);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(6);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(10);
    await local.close();
  });

  it('streams chunks, then a finish reason, then usage when asked', async () => {
    const local = provider();
    const chunks = [];
    for await (const chunk of local.model('tiny').stream({
      model: 'tiny',
      messages,
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    }))
      chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const finishes = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishes).toHaveLength(1);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    await local.close();
  });

  it('queues concurrent requests on one sequence and loads the model once', async () => {
    const events: LocalModelEvent[] = [];
    const local = provider({ parallel: 1, onEvent: (event) => events.push(event) });
    const model = local.model('tiny');
    const answers = await Promise.all(
      [1, 2, 3].map(() => model.generate({ model: 'tiny', messages, max_tokens: 4 })),
    );
    expect(answers.every((answer) => answer.usage && answer.usage.completion_tokens > 0)).toBe(
      true,
    );
    expect(events.filter((event) => event.kind === 'loaded')).toHaveLength(1);
    await local.close();
  });

  it('unloads an idle model after its keep-alive, and on request', async () => {
    const clock = manualTimers();
    const events: LocalModelEvent[] = [];
    const local = provider({
      keepAliveSeconds: 60,
      timers: clock.timers,
      onEvent: (event) => events.push(event),
    });
    await local.model('tiny').generate({ model: 'tiny', messages, max_tokens: 2 });
    expect(await local.local.loadedModels()).toMatchObject([
      { id: 'tiny', activeRequests: 0, contextSize: 256, expiresAt: expect.any(Number) },
    ]);
    expect(clock.pending).toBe(1);
    clock.fireAll();
    await expect.poll(() => events.at(-1)?.kind).toBe('unloaded');
    expect(events.at(-1)).toMatchObject({ reason: 'idle', modelId: 'tiny' });
    expect(await local.local.loadedModels()).toEqual([]);

    await local.model('tiny').generate({ model: 'tiny', messages, max_tokens: 2 });
    expect(await local.local.unload('tiny')).toBe(true);
    expect(await local.local.unload('tiny')).toBe(false);
    expect(await local.local.loadedModels()).toEqual([]);
    await local.close();
  });

  it('asks admission control before loading, and loads nothing when refused', async () => {
    const asked: LocalLoadRequest[] = [];
    const local = provider({
      admit: async (request) => {
        asked.push(request);
        throw new GatewayError('no room', {
          status: 503,
          type: 'server_error',
          code: 'insufficient_resources',
        });
      },
    });
    await expect(
      local.model('tiny').generate({ model: 'tiny', messages, max_tokens: 2 }),
    ).rejects.toMatchObject({ status: 503, code: 'insufficient_resources' });
    expect(asked[0]).toMatchObject({ providerId: 'local', modelId: 'tiny' });
    expect(asked[0]?.need.ramBytes).toBeGreaterThan(0);
    expect(await local.local.loadedModels()).toEqual([]);
  });

  it('loads with a smaller context while memory is short', async () => {
    const local = provider({ contextSize: 256, contextSizeFor: () => 128 });
    await local.model('tiny').generate({ model: 'tiny', messages, max_tokens: 2 });
    expect((await local.local.loadedModels())[0]?.contextSize).toBe(128);
    await local.close();
  });

  it('says which file is missing, and refuses tools and images with a 400', async () => {
    const local = provider();
    await expect(local.model('nope').generate({ model: 'nope', messages })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('nope.gguf'),
    });
    await expect(
      local.model('tiny').generate({ model: 'tiny', messages, tools: [{ type: 'function' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'tools' });
    await expect(
      local.model('tiny').generate({
        model: 'tiny',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'unsupported_content' });
  });
});
