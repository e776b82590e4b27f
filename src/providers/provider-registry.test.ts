import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { createProvider, providerTypes } from './provider-registry.js';

describe('createProvider', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openai', expectApiKey: 'sk-config' });
  });
  afterAll(() => fake.close());

  it('knows every provider type the config accepts', () => {
    expect(providerTypes).toEqual([
      'openai-compatible',
      'openrouter',
      'ollama',
      'anthropic',
      'embedded',
    ]);
  });

  it('builds each remote type with its defaults, doing no I/O', async () => {
    for (const type of ['openrouter', 'ollama', 'anthropic'] as const) {
      const provider = createProvider({ id: type, type });
      expect(provider).toMatchObject({ id: type, type });
      await provider.close();
    }
  });

  it('builds an openai-compatible provider from a config entry, sharing an injected pool', async () => {
    const dispatcher = new Agent();
    const provider = createProvider(
      {
        id: 'llamacpp',
        type: 'openai-compatible',
        baseUrl: fake.baseUrl,
        apiKey: 'sk-config',
        models: ['gpt-4o'],
        headers: { 'x-team': 'tta' },
        timeoutMs: 2000,
      },
      { dispatcher },
    );
    try {
      expect(await provider.listModels()).toMatchObject([{ id: 'gpt-4o', providerId: 'llamacpp' }]);
      expect(fake.requests.at(-1)?.headers['x-team']).toBe('tta');
      // The pool belongs to the caller: closing the provider leaves it open.
      await provider.close();
      expect(dispatcher.closed).toBe(false);
    } finally {
      await dispatcher.close();
    }
  });

  it('asks for a baseUrl where a type has no default', () => {
    expect(() => createProvider({ id: 'x', type: 'openai-compatible' })).toThrow(/needs a baseUrl/);
  });

  it('builds an embedded provider over the home models folder, doing no I/O', async () => {
    const provider = createProvider(
      { id: 'local', type: 'embedded' },
      { modelsHome: '/nonexistent/tta-models/models' },
    );
    expect(provider).toMatchObject({ id: 'local', type: 'embedded' });
    expect(await provider.listModels()).toEqual([]);
    expect((await provider.health()).message).toContain('/nonexistent/tta-models/models');
    await provider.close();
  });
});
