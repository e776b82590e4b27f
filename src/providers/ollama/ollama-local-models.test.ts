import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { GatewayError } from '../../spec/errors.js';
import type { LocalLoadRequest, PullProgress } from '../../spec/local-model.js';
import { createOllama } from './ollama-provider.js';

let fake: FakeUpstream;
const messages = [{ role: 'user' as const, content: 'Hello' }];

beforeAll(async () => {
  fake = await startFakeUpstream({ flavor: 'ollama' });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('Ollama model management', () => {
  it('lists pulled models with size, family, parameters, quantisation and an estimate', async () => {
    const ollama = createOllama({ id: 'ollama', baseUrl: fake.baseUrl });
    const models = await ollama.local.listLocalModels();
    expect(models[0]).toMatchObject({
      providerId: 'ollama',
      id: 'llama3.2:1b',
      sizeBytes: 1_000_000_000,
      family: 'llama',
      parameterSize: '1.2B',
      quantization: 'Q8_0',
      contextLength: 131_072,
      loaded: false,
      need: {
        basis: 'ollama-show',
        contextSize: 4096,
        // K and V, f16, 16 layers, 8 key-value heads of 64 dimensions.
        kvBytesPerToken: 2 * 2 * 16 * 8 * 64,
        totalLayers: 17,
        parameters: 1_235_814_432,
      },
    });
    expect(models[0]?.need?.ramBytes).toBeGreaterThan(1_000_000_000);
    await ollama.close();
  });

  it('shows loaded models with their GPU memory, and unloads with keep_alive 0', async () => {
    const ollama = createOllama({ id: 'ollama', baseUrl: fake.baseUrl });
    expect(await ollama.local.loadedModels()).toEqual([]);
    await ollama.model('llama3.2:1b').generate({ model: 'llama3.2:1b', messages });
    expect(await ollama.local.loadedModels()).toEqual([
      {
        providerId: 'ollama',
        id: 'llama3.2:1b',
        sizeBytes: 1_500_000_000,
        vramBytes: 1_000_000_000,
        contextSize: 4096,
        expiresAt: Date.parse('2030-01-01T00:05:00.000Z'),
      },
    ]);
    expect(await ollama.local.unload('llama3.2:1b')).toBe(true);
    expect(fake.requests.at(-1)?.body).toEqual({ model: 'llama3.2:1b', keep_alive: 0 });
    expect(await ollama.local.loadedModels()).toEqual([]);
    expect(await ollama.local.unload('llama3.2:1b')).toBe(false);
    await ollama.close();
  });

  it('pulls with streamed progress', async () => {
    const ollama = createOllama({ id: 'ollama', baseUrl: fake.baseUrl });
    const progress: PullProgress[] = [];
    await ollama.local.pull?.('qwen2.5:0.5b', (step) => progress.push(step));
    expect(progress[0]).toEqual({ status: 'pulling manifest' });
    expect(progress).toContainEqual({
      status: 'pulling abababababab',
      completedBytes: 1_000_000,
      totalBytes: 1_000_000,
    });
    expect(progress.at(-1)).toEqual({ status: 'success' });
    expect(fake.requests.at(-1)?.body).toEqual({ model: 'qwen2.5:0.5b', stream: true });
    await expect(ollama.local.pull?.('missing:1b', () => {})).rejects.toMatchObject({
      message: expect.stringContaining('file does not exist'),
    });
    await ollama.close();
  });

  it('asks admission control before a chat would load a model, and not once it is loaded', async () => {
    const asked: LocalLoadRequest[] = [];
    const ollama = createOllama({
      id: 'ollama',
      baseUrl: fake.baseUrl,
      local: { admit: async (request) => void asked.push(request) },
    });
    await ollama.model('llama3.2:1b').generate({ model: 'llama3.2:1b', messages });
    await ollama.model('llama3.2:1b').generate({ model: 'llama3.2:1b', messages });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      providerId: 'ollama',
      modelId: 'llama3.2:1b',
      need: { basis: 'ollama-show' },
    });
    await ollama.local.unload('llama3.2:1b');
    await ollama.close();
  });

  it('does not send the chat when admission control refuses', async () => {
    const ollama = createOllama({
      id: 'ollama',
      baseUrl: fake.baseUrl,
      local: {
        admit: async () => {
          throw new GatewayError('too big', {
            status: 503,
            type: 'server_error',
            code: 'insufficient_resources',
          });
        },
      },
    });
    const chunks = ollama.model('qwen2.5:0.5b').stream({ model: 'qwen2.5:0.5b', messages });
    await expect(async () => {
      for await (const _chunk of chunks) {
      }
    }).rejects.toMatchObject({ code: 'insufficient_resources' });
    expect(fake.requests.some((request) => request.route === 'chat')).toBe(false);
    await ollama.close();
  });
});
