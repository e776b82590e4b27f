import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { ApiCallError } from '../spec/errors.js';
import { createHttpClient, type HttpClient } from './http-client.js';

const apiKey = 'sk-secret-key-1234567890';
const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

/** The rejection of a promise, which must be an ApiCallError. */
async function failure(promise: Promise<unknown>): Promise<ApiCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiCallError);
  return error as ApiCallError;
}

async function drain(stream: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

describe('createHttpClient', () => {
  let fake: FakeUpstream;
  let http: HttpClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openai', expectApiKey: apiKey });
    http = createHttpClient({
      providerId: 'acme',
      timeoutMs: 5000,
      headers: () => ({ authorization: `Bearer ${apiKey}` }),
    });
  });
  afterAll(async () => {
    await http.close();
    await fake.close();
  });
  afterEach(() => fake.reset());

  it('GETs and POSTs JSON with the headers, content type and request id', async () => {
    expect(await http.getJson(`${fake.baseUrl}/models`)).toMatchObject({ object: 'list' });
    const answer = await http.postJson(`${fake.baseUrl}/chat/completions`, chatBody, {
      requestId: 'req-1',
    });
    expect(answer).toMatchObject({ object: 'chat.completion' });
    expect(fake.requests[1]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-request-id': 'req-1',
    });
    expect(fake.requests[1]?.body).toEqual(chatBody);
  });

  it('streams the body of a 2xx answer', async () => {
    const stream = await http.postStream(`${fake.baseUrl}/chat/completions`, {
      ...chatBody,
      stream: true,
    });
    expect(await drain(stream)).toMatch(/data: \[DONE\]\n\n$/);
  });

  it('maps a 500 to a retryable error carrying the upstream message', async () => {
    fake.inject({ kind: 'status', status: 500, message: 'model exploded', times: 1 });
    const error = await failure(http.getJson(`${fake.baseUrl}/models`));
    expect(error).toMatchObject({
      statusCode: 500,
      isRetryable: true,
      status: 502,
      code: 'upstream_error',
    });
    expect(error.message).toBe('acme: upstream answered 500: model exploded');
  });

  it('maps a 429 with Retry-After in seconds or as an HTTP date', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: 2, times: 1 });
    const seconds = await failure(http.postJson(`${fake.baseUrl}/chat/completions`, chatBody));
    expect(seconds).toMatchObject({
      statusCode: 429,
      isRetryable: true,
      retryAfterMs: 2000,
      code: 'upstream_rate_limited',
    });
    fake.inject({
      kind: 'status',
      status: 429,
      retryAfter: new Date(Date.now() + 60_000).toUTCString(),
      times: 1,
    });
    const date = await failure(http.postJson(`${fake.baseUrl}/chat/completions`, chatBody));
    expect(date.retryAfterMs).toBeGreaterThan(50_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('maps a 400 to a non-retryable error', async () => {
    fake.inject({ kind: 'status', status: 400, message: 'bad', times: 1 });
    expect(await failure(http.getJson(`${fake.baseUrl}/models`))).toMatchObject({
      isRetryable: false,
      statusCode: 400,
    });
  });

  it('never repeats the API key, even when the upstream echoes it', async () => {
    const wrongKey = createHttpClient({
      providerId: 'acme',
      timeoutMs: 500,
      headers: () => ({ authorization: 'Bearer sk-wrong-secret-0987654321' }),
    });
    try {
      const error = await failure(wrongKey.getJson(`${fake.baseUrl}/models`));
      expect(error).toMatchObject({
        statusCode: 401,
        code: 'upstream_auth_failed',
        isRetryable: false,
      });
      expect(error.message).toContain('Incorrect API key provided: [redacted]');
      expect(error.message).not.toContain('sk-wrong-secret');
      expect(JSON.stringify(error.toJSON())).not.toContain('sk-wrong-secret');
    } finally {
      await wrongKey.close();
    }
  });

  it('maps a refused connection and a destroyed one to retryable upstream_unreachable', async () => {
    const closed = await closedPortOrigin();
    const refused = await failure(http.getJson(`${closed}/v1/models`));
    expect(refused).toMatchObject({
      code: 'upstream_unreachable',
      isRetryable: true,
      statusCode: undefined,
      status: 502,
    });
    expect(refused.message).not.toContain(apiKey);
    fake.inject({ kind: 'refuse', times: 1 });
    expect(await failure(http.getJson(`${fake.baseUrl}/models`))).toMatchObject({
      code: 'upstream_unreachable',
      isRetryable: true,
    });
  });

  it('maps malformed JSON to a retryable upstream_malformed_response', async () => {
    fake.inject({ kind: 'garbage', times: 1 });
    const error = await failure(http.postJson(`${fake.baseUrl}/chat/completions`, chatBody));
    expect(error).toMatchObject({ code: 'upstream_malformed_response', isRetryable: true });
  });

  it('maps a JSON body cut short to upstream_unreachable', async () => {
    fake.inject({ kind: 'cut', times: 1 });
    const error = await failure(http.postJson(`${fake.baseUrl}/chat/completions`, chatBody));
    expect(error).toMatchObject({ code: 'upstream_unreachable', isRetryable: true });
  });

  it('times out a hanging upstream with upstream_timeout and closes the connection', async () => {
    fake.inject({ kind: 'hang', times: 1 });
    const started = performance.now();
    const error = await failure(http.getJson(`${fake.baseUrl}/models`, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'upstream_timeout', isRetryable: true, status: 504 });
    expect(performance.now() - started).toBeLessThan(400);
    expect(await fake.requests[0]?.settled).toBe('client-closed');
  });

  it('aborts the upstream request when the caller aborts, as a non-retryable request_aborted', async () => {
    fake.inject({ kind: 'hang', times: 1 });
    const controller = new AbortController();
    const pending = failure(http.getJson(`${fake.baseUrl}/models`, { signal: controller.signal }));
    const received = await fake.nextRequest();
    controller.abort();
    expect(await pending).toMatchObject({ code: 'request_aborted', isRetryable: false });
    expect(await received.settled).toBe('client-closed');
  });

  it('treats an aborted-by-deadline caller signal as a timeout', async () => {
    fake.inject({ kind: 'hang', times: 1 });
    const error = await failure(
      http.getJson(`${fake.baseUrl}/models`, { signal: AbortSignal.timeout(50) }),
    );
    expect(error).toMatchObject({ code: 'upstream_timeout', isRetryable: true });
  });

  it('does not start a request whose signal is already aborted', async () => {
    const error = await failure(
      http.getJson(`${fake.baseUrl}/models`, { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe('request_aborted');
    expect(fake.requestCount).toBe(0);
  });

  it('times a stream out until its first byte only', async () => {
    fake.setReply({ chunkDelayMs: 60 });
    // Each event is 60 ms apart, the deadline 150 ms: the whole stream outlasts it.
    const stream = await http.postStream(
      `${fake.baseUrl}/chat/completions`,
      { ...chatBody, stream: true },
      { timeoutMs: 150 },
    );
    expect(await drain(stream)).toContain('[DONE]');
    fake.inject({ kind: 'delay', ms: 400, times: 1 });
    const late = await failure(
      http.postStream(
        `${fake.baseUrl}/chat/completions`,
        { ...chatBody, stream: true },
        { timeoutMs: 100 },
      ),
    );
    expect(late.code).toBe('upstream_timeout');
  });

  it('maps a stream cut mid-way to upstream_unreachable', async () => {
    fake.inject({ kind: 'cut', afterChunks: 2, times: 1 });
    fake.setReply({ chunkDelayMs: 5 });
    const stream = await http.postStream(`${fake.baseUrl}/chat/completions`, {
      ...chatBody,
      stream: true,
    });
    expect(await failure(drain(stream))).toMatchObject({
      code: 'upstream_unreachable',
      isRetryable: true,
    });
  });

  it('closes the connection when the consumer stops reading early', async () => {
    fake.setReply({ chunkDelayMs: 30, chunks: 20 });
    const stream = await http.postStream(`${fake.baseUrl}/chat/completions`, {
      ...chatBody,
      stream: true,
    });
    for await (const _chunk of stream) break;
    expect(await fake.requests[0]?.settled).toBe('client-closed');
  });

  it('aborts a stream mid-way when the caller aborts', async () => {
    fake.setReply({ chunkDelayMs: 30, chunks: 20 });
    const controller = new AbortController();
    const stream = await http.postStream(
      `${fake.baseUrl}/chat/completions`,
      { ...chatBody, stream: true },
      { signal: controller.signal },
    );
    const reading = failure(
      (async () => {
        for await (const _chunk of stream) controller.abort();
      })(),
    );
    expect(await reading).toMatchObject({ code: 'request_aborted' });
    expect(await fake.requests[0]?.settled).toBe('client-closed');
  });
});
