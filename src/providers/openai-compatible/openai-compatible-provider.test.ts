import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../../testkit/faults.js';
import type { ChatCompletionChunk, ChatRequest } from '../../spec/chat.js';
import { ApiCallError } from '../../spec/errors.js';
import type { Provider } from '../../spec/provider.js';
import { createOpenAICompatible } from './openai-compatible-provider.js';

const apiKey = 'sk-test-0123456789abcdef';
const request: ChatRequest = { model: 'ignored', messages: [{ role: 'user', content: 'Hi' }] };

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

describe('createOpenAICompatible', () => {
  let fake: FakeUpstream;
  let provider: Provider;
  beforeAll(async () => {
    fake = await startFakeUpstream({
      flavor: 'openai',
      expectApiKey: apiKey,
      reply: { text: 'Hello there', chunks: 2 },
    });
    provider = createOpenAICompatible({
      id: 'acme',
      baseUrl: `${fake.baseUrl}/`,
      apiKey,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });
  afterEach(() => fake.reset());

  it('sends a per-call key instead of its own when given one', async () => {
    const userKey = 'sk-user-key-abcdef0123456789';
    const wrong = await failure(provider.model('gpt-4o').generate(request, { apiKey: userKey }));
    expect(wrong.statusCode).toBe(401);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${userKey}`);
    expect(wrong.message).not.toContain(userKey);
    await provider.model('gpt-4o').generate(request);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('identifies itself', () => {
    expect(provider).toMatchObject({ id: 'acme', type: 'openai-compatible' });
    expect(provider.model('gpt-4o')).toMatchObject({ providerId: 'acme', modelId: 'gpt-4o' });
  });

  it('lists the upstream models as cards', async () => {
    expect(await provider.listModels()).toEqual([
      { id: 'gpt-4o-mini', providerId: 'acme', ownedBy: 'openai', created: 1_700_000_000 },
      { id: 'gpt-4o', providerId: 'acme', ownedBy: 'openai', created: 1_700_000_000 },
    ]);
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('restricts the list to configured models, and falls back to them when listing fails', async () => {
    const restricted = createOpenAICompatible({
      id: 'acme',
      baseUrl: fake.baseUrl,
      apiKey,
      models: ['gpt-4o', 'custom'],
    });
    try {
      expect(await restricted.listModels()).toEqual([
        { id: 'gpt-4o', providerId: 'acme', ownedBy: 'openai', created: 1_700_000_000 },
        { id: 'custom', providerId: 'acme' },
      ]);
      fake.inject({ kind: 'status', status: 404, route: 'models' });
      expect(await restricted.listModels()).toEqual([
        { id: 'gpt-4o', providerId: 'acme' },
        { id: 'custom', providerId: 'acme' },
      ]);
    } finally {
      await restricted.close();
    }
  });

  it('throws when listing fails and nothing is configured', async () => {
    fake.inject({ kind: 'status', status: 503, times: 1 });
    expect(await failure(provider.listModels())).toMatchObject({
      statusCode: 503,
      isRetryable: true,
    });
  });

  it('reports health with latency, and failures without secrets', async () => {
    const healthy = await provider.health();
    expect(healthy.ok).toBe(true);
    expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);
    const wrongKey = createOpenAICompatible({
      id: 'acme',
      baseUrl: fake.baseUrl,
      apiKey: () => 'sk-wrong-9876543210',
    });
    try {
      const report = await wrongKey.health();
      expect(report.ok).toBe(false);
      expect(report.message).toContain('401');
      expect(report.message).not.toContain('sk-wrong-9876543210');
    } finally {
      await wrongKey.close();
    }
    const unreachable = createOpenAICompatible({
      id: 'down',
      baseUrl: `${await closedPortOrigin()}/v1`,
    });
    try {
      expect(await unreachable.health()).toMatchObject({
        ok: false,
        message: expect.stringContaining('unreachable'),
      });
    } finally {
      await unreachable.close();
    }
  });

  it('generates, passing the body through with the upstream model id', async () => {
    const body: ChatRequest = {
      ...request,
      stream_options: { include_usage: true },
      tools: [
        { type: 'function', function: { name: 'roll_dice', parameters: { type: 'object' } } },
      ],
      response_format: { type: 'json_object' },
      seed: 42,
    };
    const completion = await provider.model('gpt-4o').generate(body, { requestId: 'req-7' });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    });
    const { stream_options: _dropped, ...expected } = body;
    expect(fake.requests[0]?.body).toEqual({ ...expected, model: 'gpt-4o', stream: false });
    expect(fake.requests[0]?.headers['x-request-id']).toBe('req-7');
  });

  it('streams chunks and the usage chunk, stopping at [DONE]', async () => {
    const chunks = await collect(
      provider.model('gpt-4o').stream({ ...request, stream_options: { include_usage: true } }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Hello there',
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 16 } });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
    });
    // The whole body was read, so the connection went back to the pool.
    expect(await fake.requests[0]?.settled).toBe('answered');
  });

  it('returns connections to the pool after calls and streams, opening none per call', async () => {
    const isolated = createOpenAICompatible({ id: 'acme', baseUrl: fake.baseUrl, apiKey });
    const round = async () => {
      await isolated.model('gpt-4o').generate(request);
      await collect(isolated.model('gpt-4o').stream(request));
    };
    try {
      // undici's pool opens a second connection on its first reuse; from then on both are reused.
      await round();
      const warmed = fake.connectionCount;
      for (let count = 0; count < 5; count++) await round();
      expect(fake.requestCount).toBe(12);
      expect(fake.connectionCount).toBe(warmed);
    } finally {
      await isolated.close();
    }
  });

  it('streams tool calls', async () => {
    fake.setReply({
      text: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'call_1', name: 'roll', arguments: '{"sides":20}' }],
    });
    const chunks = await collect(provider.model('gpt-4o').stream(request));
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])).toEqual([
      {
        index: 0,
        id: 'call_1',
        type: 'function',
        function: { name: 'roll', arguments: '{"sides":20}' },
      },
    ]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('fails generate on refuse, 500, 429 and garbage with the right errors', async () => {
    const model = provider.model('gpt-4o');
    fake.inject({ kind: 'refuse', times: 1 });
    expect(await failure(model.generate(request))).toMatchObject({
      code: 'upstream_unreachable',
      isRetryable: true,
    });
    fake.inject({ kind: 'status', status: 500, times: 1 });
    expect(await failure(model.generate(request))).toMatchObject({
      statusCode: 500,
      isRetryable: true,
    });
    fake.inject({ kind: 'status', status: 429, retryAfter: 3, times: 1 });
    expect(await failure(model.generate(request))).toMatchObject({
      statusCode: 429,
      retryAfterMs: 3000,
    });
    fake.inject({ kind: 'garbage', times: 1 });
    expect(await failure(model.generate(request))).toMatchObject({
      code: 'upstream_malformed_response',
    });
  });

  it('fails a stream before its first chunk on 503 and hang (timeout)', async () => {
    const model = provider.model('gpt-4o');
    fake.inject({ kind: 'status', status: 503, times: 1 });
    expect(await failure(collect(model.stream(request)))).toMatchObject({
      statusCode: 503,
      isRetryable: true,
    });
    fake.inject({ kind: 'hang', times: 1 });
    const impatient = createOpenAICompatible({
      id: 'acme',
      baseUrl: fake.baseUrl,
      apiKey,
      timeoutMs: 100,
    });
    try {
      expect(await failure(collect(impatient.model('gpt-4o').stream(request)))).toMatchObject({
        code: 'upstream_timeout',
      });
    } finally {
      await impatient.close();
    }
  });

  it('surfaces a stream cut mid-way as an error after the chunks received', async () => {
    fake.inject({ kind: 'cut', afterChunks: 2, times: 1 });
    fake.setReply({ chunkDelayMs: 5 });
    const received: ChatCompletionChunk[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of provider.model('gpt-4o').stream(request)) received.push(chunk);
      })(),
    );
    expect(received).toHaveLength(2);
    expect(error).toMatchObject({ isRetryable: true });
  });

  it('surfaces a stream that ends cleanly without [DONE] or a finish reason as an error', async () => {
    fake.inject({ kind: 'truncate', afterChunks: 2, times: 1 });
    const error = await failure(collect(provider.model('gpt-4o').stream(request)));
    expect(error).toMatchObject({
      code: 'upstream_incomplete_response',
      isRetryable: true,
      status: 502,
    });
    expect(error.message).toBe('acme: upstream stream ended before [DONE]');
  });

  it('throws garbage in a stream as a malformed response', async () => {
    fake.inject({ kind: 'garbage', times: 1 });
    expect(await failure(collect(provider.model('gpt-4o').stream(request)))).toMatchObject({
      code: 'upstream_malformed_response',
      isRetryable: true,
    });
  });

  it('throws an error object in the stream after the chunks before it', async () => {
    fake.inject({ kind: 'stream-error', afterChunks: 1, message: 'model crashed', times: 1 });
    const received: ChatCompletionChunk[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of provider.model('gpt-4o').stream(request)) received.push(chunk);
      })(),
    );
    expect(received).toHaveLength(1);
    expect(error.message).toBe('acme: upstream reported an error: model crashed');
    expect(error.isRetryable).toBe(true);
  });

  it('aborts the upstream request when the caller aborts, before and during a stream', async () => {
    fake.inject({ kind: 'hang', times: 1 });
    const controller = new AbortController();
    const pending = failure(
      provider.model('gpt-4o').generate(request, { signal: controller.signal }),
    );
    const hung = await fake.nextRequest();
    controller.abort();
    expect(await pending).toMatchObject({ code: 'request_aborted', isRetryable: false });
    expect(await hung.settled).toBe('client-closed');

    fake.setReply({ chunkDelayMs: 30, chunks: 20 });
    const streaming = new AbortController();
    const reading = failure(
      (async () => {
        for await (const _chunk of provider
          .model('gpt-4o')
          .stream(request, { signal: streaming.signal })) {
          streaming.abort();
        }
      })(),
    );
    expect(await reading).toMatchObject({ code: 'request_aborted' });
    expect(await fake.requests.at(-1)?.settled).toBe('client-closed');
  });

  it('closes the upstream connection when the consumer stops reading', async () => {
    fake.setReply({ chunkDelayMs: 30, chunks: 20 });
    for await (const _chunk of provider.model('gpt-4o').stream(request)) break;
    expect(await fake.requests[0]?.settled).toBe('client-closed');
  });
});
