import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import type { ChatCompletionChunk, ChatRequest } from '../../spec/chat.js';
import { ApiCallError } from '../../spec/errors.js';
import type { Provider } from '../../spec/provider.js';
import { createHttpClient } from '../http-client.js';
import { createAnthropic, fetchAnthropicModels } from './anthropic-provider.js';

const apiKey = 'sk-ant-secret-0123456789';
const request: ChatRequest = {
  model: 'ignored',
  messages: [
    { role: 'system', content: 'You narrate.' },
    { role: 'user', content: 'Hi' },
  ],
};

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const collected: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

async function failure(promise: Promise<unknown>): Promise<ApiCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiCallError);
  return error as ApiCallError;
}

describe('createAnthropic', () => {
  let fake: FakeUpstream;
  let provider: Provider;
  beforeAll(async () => {
    fake = await startFakeUpstream({
      flavor: 'anthropic',
      expectApiKey: apiKey,
      reply: { text: 'Once upon', chunks: 2 },
    });
    provider = createAnthropic({ id: 'claude', baseUrl: fake.baseUrl, apiKey });
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });
  afterEach(() => fake.reset());

  it('generates through the Messages API with its headers and a default max_tokens', async () => {
    const completion = await provider.model('claude-sonnet-4-20250514').generate(request);
    expect(completion).toMatchObject({
      id: 'msg_fake_1',
      object: 'chat.completion',
      model: 'claude-sonnet-4-20250514',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Once upon' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    });
    const received = fake.requests[0];
    expect(received?.path).toBe('/v1/messages');
    expect(received?.headers).toMatchObject({
      'x-api-key': apiKey,
      'anthropic-version': '2023-06-01',
    });
    expect(received?.headers.authorization).toBeUndefined();
    expect(received?.body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 4096,
      system: 'You narrate.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
  ])(
    'maps stop reason %s to finish reason %s, answered and streamed',
    async (stopReason, finishReason) => {
      fake.setReply({ finishReason: stopReason });
      const model = provider.model('claude-sonnet-4-20250514');
      const completion = await model.generate({ ...request, stop: ['THE END'] });
      expect(completion.choices[0]?.finish_reason).toBe(finishReason);
      const chunks = await collect(model.stream(request));
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe(finishReason);
    },
  );

  it('maps tool use blocks to tool calls', async () => {
    fake.setReply({
      text: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'toolu_1', name: 'roll', arguments: '{"sides":20}' }],
    });
    const completion = await provider.model('claude-sonnet-4-20250514').generate(request);
    expect(completion.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'roll', arguments: '{"sides":20}' } },
      ],
    });
    const chunks = await collect(provider.model('claude-sonnet-4-20250514').stream(request));
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'toolu_1',
      type: 'function',
      function: { name: 'roll', arguments: '' },
    });
    expect(deltas.map((delta) => delta.function?.arguments ?? '').join('')).toBe('{"sides":20}');
    expect(
      deltas.slice(1).every((delta) => delta.index === 0 && delta.function?.name === undefined),
    ).toBe(true);
  });

  it('streams text as OpenAI chunks, with a usage chunk when asked', async () => {
    const chunks = await collect(
      provider
        .model('claude-sonnet-4-20250514')
        .stream({ ...request, stream_options: { include_usage: true } }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Once ' },
      { content: 'upon' },
      {},
      undefined,
    ]);
    expect(
      chunks.every(
        (chunk) => chunk.id === 'msg_fake_1' && chunk.object === 'chat.completion.chunk',
      ),
    ).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, max_tokens: 4096 });
    expect(await fake.requests[0]?.settled).toBe('answered');
  });

  it('returns connections to the pool after streams', async () => {
    const isolated = createAnthropic({ id: 'claude', baseUrl: fake.baseUrl, apiKey });
    const stream = () => collect(isolated.model('claude-sonnet-4-20250514').stream(request));
    try {
      // undici's pool opens a second connection on its first reuse; from then on both are reused.
      await stream();
      await stream();
      const warmed = fake.connectionCount;
      for (let count = 0; count < 5; count++) await stream();
      expect(fake.connectionCount).toBe(warmed);
    } finally {
      await isolated.close();
    }
  });

  it('sends no usage chunk unless asked', async () => {
    const chunks = await collect(provider.model('claude-sonnet-4-20250514').stream(request));
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('throws an error event as a retryable ApiCallError after the chunks before it', async () => {
    fake.inject({ kind: 'stream-error', afterChunks: 3, message: 'Overloaded', times: 1 });
    const received: ChatCompletionChunk[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of provider.model('claude-sonnet-4-20250514').stream(request))
          received.push(chunk);
      })(),
    );
    expect(received).toHaveLength(1);
    expect(error).toMatchObject({
      statusCode: 529,
      isRetryable: true,
      message: 'claude: upstream reported overloaded_error: Overloaded',
    });
  });

  it('fails a stream that is cut, truncated or garbage', async () => {
    const model = provider.model('claude-sonnet-4-20250514');
    fake.inject({ kind: 'cut', afterChunks: 3, times: 1 });
    expect(await failure(collect(model.stream(request)))).toMatchObject({ isRetryable: true });
    fake.inject({ kind: 'truncate', afterChunks: 5, times: 1 });
    expect(await failure(collect(model.stream(request)))).toMatchObject({
      code: 'upstream_incomplete_response',
    });
    fake.inject({ kind: 'garbage', times: 1 });
    expect(await failure(collect(model.stream(request)))).toMatchObject({
      code: 'upstream_malformed_response',
    });
  });

  it('maps HTTP errors, with Anthropic error bodies, and never repeats the key', async () => {
    fake.inject({ kind: 'status', status: 529, message: 'Overloaded', times: 1 });
    expect(
      await failure(provider.model('claude-sonnet-4-20250514').generate(request)),
    ).toMatchObject({
      statusCode: 529,
      isRetryable: true,
      message: 'claude: upstream answered 529: Overloaded',
    });
    const wrongKey = createAnthropic({
      id: 'claude',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-ant-wrong-key-000',
    });
    try {
      const error = await failure(wrongKey.model('claude-sonnet-4-20250514').generate(request));
      expect(error).toMatchObject({ statusCode: 401, isRetryable: false });
      expect(error.message).not.toContain('sk-ant-wrong-key-000');
    } finally {
      await wrongKey.close();
    }
  });

  it('lists models with display names, and checks health', async () => {
    expect(await provider.listModels()).toEqual([
      {
        id: 'claude-sonnet-4-20250514',
        providerId: 'claude',
        name: 'Claude Sonnet 4',
        created: 1_739_923_200,
      },
      {
        id: 'claude-3-5-haiku-20241022',
        providerId: 'claude',
        name: 'Claude Haiku 3.5',
        created: 1_739_923_200,
      },
    ]);
    expect(await provider.health()).toMatchObject({ ok: true });
  });

  it('follows the model list cursor through every page', async () => {
    const http = createHttpClient({
      providerId: 'claude',
      timeoutMs: 5000,
      headers: () => ({ 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' }),
    });
    try {
      const cards = await fetchAnthropicModels(
        { providerId: 'claude', baseUrl: fake.baseUrl, http },
        {},
        1,
      );
      expect(cards.map((card) => card.id)).toEqual([
        'claude-sonnet-4-20250514',
        'claude-3-5-haiku-20241022',
      ]);
      expect(fake.requests.map((logged) => logged.path)).toEqual([
        '/v1/models?limit=1',
        '/v1/models?limit=1&after_id=claude-sonnet-4-20250514',
      ]);
    } finally {
      await http.close();
    }
  });
});
