import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import type { Provider } from '../../spec/provider.js';
import { createOpenRouter, openRouterBaseUrl } from './openrouter-provider.js';

describe('createOpenRouter', () => {
  let fake: FakeUpstream;
  let provider: Provider;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openrouter', expectApiKey: 'sk-or-test' });
    provider = createOpenRouter({
      id: 'openrouter',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-or-test',
      appUrl: 'https://example.org/tta',
      headers: { 'X-Title': 'TTA' },
    });
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it("defaults to OpenRouter's API", () => {
    expect(openRouterBaseUrl).toBe('https://openrouter.ai/api/v1');
    expect(createOpenRouter({ id: 'or' }).type).toBe('openrouter');
  });

  it('lists models with their names and context lengths', async () => {
    expect(await provider.listModels()).toEqual([
      {
        id: 'meta-llama/llama-3.1-8b-instruct:free',
        providerId: 'openrouter',
        name: 'Meta: Llama 3.1 8B Instruct (free)',
        contextLength: 131_072,
        ownedBy: 'fake-upstream',
        created: 1_700_000_000,
      },
      {
        id: 'openai/gpt-4o-mini',
        providerId: 'openrouter',
        name: 'OpenAI: GPT-4o-mini',
        contextLength: 128_000,
        ownedBy: 'fake-upstream',
        created: 1_700_000_000,
      },
    ]);
  });

  it('sends attribution headers (configured headers win) and passes usage.cost through', async () => {
    const model = provider.model('openai/gpt-4o-mini');
    const completion = await model.generate({
      model: 'x',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.usage?.cost).toBe(0.00002);
    expect(fake.requests.at(-1)?.headers).toMatchObject({
      'x-title': 'TTA',
      'http-referer': 'https://example.org/tta',
      authorization: 'Bearer sk-or-test',
    });
    const chunks = [];
    for await (const chunk of model.stream({
      model: 'x',
      messages: [],
      stream_options: { include_usage: true },
    })) {
      chunks.push(chunk);
    }
    // The leading `: OPENROUTER PROCESSING` comment is skipped.
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-1)?.usage?.cost).toBe(0.00002);
  });

  it('reports an error object sent mid-stream with its status', async () => {
    fake.inject({ kind: 'stream-error', message: 'Provider returned error', times: 1 });
    const stream = provider.model('openai/gpt-4o-mini').stream({ model: 'x', messages: [] });
    await expect(
      (async () => {
        for await (const _chunk of stream);
      })(),
    ).rejects.toMatchObject({
      statusCode: 502,
      isRetryable: true,
      message: expect.stringContaining('Provider returned error'),
    });
  });
});
