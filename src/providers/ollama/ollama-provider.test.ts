import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import type { Provider } from '../../spec/provider.js';
import { createOllama } from './ollama-provider.js';

describe('createOllama', () => {
  let fake: FakeUpstream;
  let provider: Provider;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'ollama', reply: { text: 'Hi!' } });
    provider = createOllama({ id: 'local', baseUrl: fake.baseUrl });
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it('lists pulled models from /api/tags', async () => {
    expect(provider.type).toBe('ollama');
    expect(await provider.listModels()).toEqual([
      { id: 'llama3.2:1b', providerId: 'local', name: 'llama3.2:1b', created: 1_735_689_600 },
      { id: 'qwen2.5:0.5b', providerId: 'local', name: 'qwen2.5:0.5b', created: 1_735_689_600 },
    ]);
    expect(fake.requests.at(-1)?.path).toBe('/api/tags');
  });

  it('checks health with /api/version', async () => {
    expect(await provider.health()).toMatchObject({ ok: true });
    expect(fake.requests.at(-1)?.path).toBe('/api/version');
    fake.inject({ kind: 'status', status: 500, message: 'no GPU', route: 'version', times: 1 });
    expect(await provider.health()).toMatchObject({
      ok: false,
      message: 'local: upstream answered 500: no GPU',
    });
  });

  it('chats through the OpenAI-compatible /v1, also when configured with the /v1 suffix', async () => {
    const completion = await provider
      .model('llama3.2:1b')
      .generate({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hi!');
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      body: { model: 'llama3.2:1b' },
    });
    const suffixed = createOllama({ id: 'local', baseUrl: `${fake.baseUrl}/v1/` });
    try {
      const chunks = [];
      for await (const chunk of suffixed.model('qwen2.5:0.5b').stream({ model: 'x', messages: [] }))
        chunks.push(chunk);
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hi!');
      expect(await suffixed.listModels()).toHaveLength(2);
    } finally {
      await suffixed.close();
    }
  });
});
