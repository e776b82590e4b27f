import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { closedPortOrigin } from './faults.js';

const agent = new Agent();
afterAll(() => agent.close());

/** Raw HTTP against a fake: status, headers and body text. */
async function call(url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await request(url, {
    dispatcher: agent,
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  };
}

/** The data payloads of an SSE body. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .flatMap((frame) => frame.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length));
}

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

describe('OpenAI flavor', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openai', reply: { text: 'abcdef', chunks: 3 } });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  it('lists models and answers a chat completion, logging the request', async () => {
    const models = await call(`${fake.baseUrl}/models`);
    expect(JSON.parse(models.text)).toMatchObject({
      object: 'list',
      data: [{ id: 'gpt-4o-mini', object: 'model' }, {}],
    });
    const answer = await call(`${fake.baseUrl}/chat/completions`, chatBody, {
      authorization: 'Bearer k',
    });
    expect(JSON.parse(answer.text)).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ message: { role: 'assistant', content: 'abcdef' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    });
    expect(fake.requests.map((logged) => logged.route)).toEqual(['models', 'chat']);
    expect(fake.requests[1]?.body).toEqual(chatBody);
    expect(fake.requests[1]?.headers.authorization).toBe('Bearer k');
    expect(await fake.requests[1]?.settled).toBe('answered');
  });

  it('streams chunks, a usage chunk when asked, then [DONE]', async () => {
    const answer = await call(`${fake.baseUrl}/chat/completions`, {
      ...chatBody,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const data = sseData(answer.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe('abcdef');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content)).toHaveLength(3);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 16 } });
  });

  it('answers 401 with an OpenAI error when the key is wrong', async () => {
    const guarded = await startFakeUpstream({ flavor: 'openai', expectApiKey: 'sk-right' });
    try {
      const wrong = await call(`${guarded.baseUrl}/models`, undefined, {
        authorization: 'Bearer sk-wrong',
      });
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.text)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      expect(
        (await call(`${guarded.baseUrl}/models`, undefined, { authorization: 'Bearer sk-right' }))
          .status,
      ).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('refuse: destroys the connection without an answer', async () => {
    fake.inject({ kind: 'refuse', times: 1 });
    await expect(call(`${fake.baseUrl}/models`)).rejects.toThrow();
    expect(await fake.requests[0]?.settled).toBe('fault-destroyed');
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(200);
  });

  it('status: answers the error status with the error body and Retry-After', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: 7, message: 'slow down' });
    const answer = await call(`${fake.baseUrl}/chat/completions`, chatBody);
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    expect(JSON.parse(answer.text)).toEqual({
      error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    // Without `times` the fault stays until cleared.
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(429);
    fake.clearFaults();
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(200);
  });

  it('applies faults only to their route and only `times` times', async () => {
    fake.inject({ kind: 'status', status: 503, route: 'chat', times: 2 });
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(200);
    expect((await call(`${fake.baseUrl}/chat/completions`, chatBody)).status).toBe(503);
    expect((await call(`${fake.baseUrl}/chat/completions`, chatBody)).status).toBe(503);
    expect((await call(`${fake.baseUrl}/chat/completions`, chatBody)).status).toBe(200);
  });

  it('applies an `every` fault to every n-th matching request, passing the others on', async () => {
    fake.inject({ kind: 'status', status: 500, route: 'chat', every: 3 });
    fake.inject({ kind: 'status', status: 503, route: 'chat', every: 2 });
    const statuses: number[] = [];
    for (let sent = 0; sent < 9; sent++) {
      statuses.push((await call(`${fake.baseUrl}/chat/completions`, chatBody)).status);
    }
    // The 500 takes calls 3, 6 and 9; the 503 every second call of those it is offered.
    expect(statuses).toEqual([200, 503, 500, 200, 503, 500, 200, 503, 500]);
    expect(fake.faultCount).toBe(6);
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(200);
    expect(() => fake.inject({ kind: 'refuse', every: 0 })).toThrow(/every must be a positive/);
  });

  it('hang: never answers, and records that the client gave up', async () => {
    fake.inject({ kind: 'hang', times: 1 });
    const controller = new AbortController();
    const pending = request(`${fake.baseUrl}/models`, {
      dispatcher: agent,
      signal: controller.signal,
    });
    const received = await fake.nextRequest();
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(await received.settled).toBe('client-closed');
  });

  it('cut: sends the first events of a stream, then destroys the socket', async () => {
    fake.inject({ kind: 'cut', afterChunks: 2, times: 1 });
    const response = await request(`${fake.baseUrl}/chat/completions`, {
      dispatcher: agent,
      method: 'POST',
      body: JSON.stringify({ ...chatBody, stream: true }),
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of response.body) received.push(String(chunk));
      })(),
    ).rejects.toThrow();
    expect(sseData(received.join(''))).toHaveLength(2);
    expect(await fake.requests[0]?.settled).toBe('fault-destroyed');
  });

  it('stall: sends the first events of a stream, then goes silent until the client leaves', async () => {
    fake.inject({ kind: 'stall', afterChunks: 2, times: 1 });
    const controller = new AbortController();
    const response = await request(`${fake.baseUrl}/chat/completions`, {
      dispatcher: agent,
      method: 'POST',
      body: JSON.stringify({ ...chatBody, stream: true }),
      signal: controller.signal,
    });
    let received = '';
    const reading = (async () => {
      for await (const chunk of response.body) {
        received += String(chunk);
        if (sseData(received).length === 2) controller.abort();
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(sseData(received)).toHaveLength(2);
    expect(await fake.requests[0]?.settled).toBe('client-closed');
  });

  it('cut: sends half a JSON body, then destroys the socket', async () => {
    fake.inject({ kind: 'cut', times: 1 });
    await expect(call(`${fake.baseUrl}/chat/completions`, chatBody)).rejects.toThrow();
  });

  it('truncate: ends a stream, or a JSON body, cleanly but early', async () => {
    fake.inject({ kind: 'truncate', afterChunks: 2, times: 2 });
    const stream = await call(`${fake.baseUrl}/chat/completions`, { ...chatBody, stream: true });
    expect(sseData(stream.text)).toHaveLength(2);
    expect(stream.text).not.toContain('[DONE]');
    const json = await call(`${fake.baseUrl}/chat/completions`, chatBody);
    expect(() => JSON.parse(json.text)).toThrow();
    expect(await fake.requests[1]?.settled).toBe('answered');
  });

  it('garbage: answers 200 with invalid JSON, or SSE data that is not JSON', async () => {
    fake.inject({ kind: 'garbage', times: 2 });
    const json = await call(`${fake.baseUrl}/chat/completions`, chatBody);
    expect(json.status).toBe(200);
    expect(() => JSON.parse(json.text)).toThrow();
    const stream = await call(`${fake.baseUrl}/chat/completions`, { ...chatBody, stream: true });
    expect(sseData(stream.text).length).toBeGreaterThan(0);
    for (const payload of sseData(stream.text)) expect(() => JSON.parse(payload)).toThrow();
  });

  it('stream-error: sends an error object in the stream after some chunks', async () => {
    fake.inject({ kind: 'stream-error', afterChunks: 1, message: 'model crashed', times: 1 });
    const answer = await call(`${fake.baseUrl}/chat/completions`, { ...chatBody, stream: true });
    const data = sseData(answer.text).map((payload) => JSON.parse(payload));
    expect(data).toHaveLength(2);
    expect(data[1]).toMatchObject({ error: { message: 'model crashed' } });
  });

  it('delay: answers after the given time', async () => {
    fake.inject({ kind: 'delay', ms: 150, times: 1 });
    const started = performance.now();
    expect((await call(`${fake.baseUrl}/models`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('streams event by event with chunkDelayMs', async () => {
    fake.setReply({ chunkDelayMs: 20 });
    const started = performance.now();
    const answer = await call(`${fake.baseUrl}/chat/completions`, { ...chatBody, stream: true });
    // role chunk + 3 content chunks + finish chunk + [DONE]
    expect(sseData(answer.text)).toHaveLength(6);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('answers unknown routes 404 and unparsable bodies 400', async () => {
    expect((await call(`${fake.origin}/nowhere`)).status).toBe(404);
    const broken = await request(`${fake.baseUrl}/chat/completions`, {
      dispatcher: agent,
      method: 'POST',
      body: '{',
    });
    expect(broken.statusCode).toBe(400);
    await broken.body.dump();
  });
});

describe('closedPortOrigin', () => {
  it('gives an origin where connections are refused', async () => {
    const origin = await closedPortOrigin();
    await expect(call(`${origin}/v1/models`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('OpenRouter flavor', () => {
  it('serves /api/v1 with model names, context lengths, prices and usage.cost', async () => {
    const fake = await startFakeUpstream({
      flavor: 'openrouter',
      models: [{ id: 'a/b', name: 'A B', contextLength: 4096 }],
    });
    try {
      expect(fake.baseUrl).toBe(`${fake.origin}/api/v1`);
      const models = JSON.parse((await call(`${fake.baseUrl}/models`)).text);
      expect(models.data[0]).toMatchObject({
        id: 'a/b',
        name: 'A B',
        context_length: 4096,
        pricing: { prompt: '0.0000001' },
      });
      const answer = JSON.parse((await call(`${fake.baseUrl}/chat/completions`, chatBody)).text);
      expect(answer.usage.cost).toBe(0.00002);
      const stream = await call(`${fake.baseUrl}/chat/completions`, { ...chatBody, stream: true });
      expect(stream.text.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe('Ollama flavor', () => {
  it('serves /api/tags, /api/version and the OpenAI-compatible /v1', async () => {
    const fake = await startFakeUpstream({ flavor: 'ollama' });
    try {
      expect(fake.baseUrl).toBe(fake.origin);
      const tags = JSON.parse((await call(`${fake.origin}/api/tags`)).text);
      expect(tags.models[0]).toMatchObject({
        name: 'llama3.2:1b',
        model: 'llama3.2:1b',
        details: { family: 'llama', format: 'gguf', quantization_level: 'Q8_0' },
      });
      expect(JSON.parse((await call(`${fake.origin}/api/version`)).text)).toEqual({
        version: '0.6.8',
      });
      expect(JSON.parse((await call(`${fake.origin}/v1/models`)).text).data[0]).toMatchObject({
        owned_by: 'library',
      });
      const answer = JSON.parse((await call(`${fake.origin}/v1/chat/completions`, chatBody)).text);
      expect(answer.choices[0].message.content).toBe('Hello from the fake upstream.');
      fake.inject({ kind: 'status', status: 500, message: 'boom', times: 1 });
      expect(JSON.parse((await call(`${fake.origin}/api/tags`)).text)).toEqual({ error: 'boom' });
    } finally {
      await fake.close();
    }
  });
});

describe('Anthropic flavor', () => {
  let fake: FakeUpstream;
  const headers = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };
  const messagesBody = {
    model: 'claude-sonnet-4-20250514',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hi' }],
  };
  beforeAll(async () => {
    fake = await startFakeUpstream({
      flavor: 'anthropic',
      expectApiKey: 'sk-ant-test',
      reply: { text: 'abcd', chunks: 2 },
    });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  it('answers a message', async () => {
    const answer = await call(`${fake.baseUrl}/messages`, messagesBody, headers);
    expect(JSON.parse(answer.text)).toEqual({
      id: 'msg_fake_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'abcd' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 6 },
    });
  });

  it('streams named events in order', async () => {
    const answer = await call(
      `${fake.baseUrl}/messages`,
      { ...messagesBody, stream: true },
      headers,
    );
    const names = [...answer.text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const delta = sseData(answer.text).map((payload) => JSON.parse(payload))[6];
    expect(delta).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 6 },
    });
  });

  it('rejects what the real API rejects', async () => {
    const noKey = await call(`${fake.baseUrl}/messages`, messagesBody, {
      'anthropic-version': '2023-06-01',
    });
    expect(noKey.status).toBe(401);
    expect(JSON.parse(noKey.text)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
    const { max_tokens: _maxTokens, ...withoutMax } = messagesBody;
    expect((await call(`${fake.baseUrl}/messages`, withoutMax, headers)).status).toBe(400);
    const system = { ...messagesBody, messages: [{ role: 'system', content: 'x' }] };
    expect((await call(`${fake.baseUrl}/messages`, system, headers)).status).toBe(400);
    expect(
      (await call(`${fake.baseUrl}/messages`, messagesBody, { 'x-api-key': 'sk-ant-test' })).status,
    ).toBe(400);
  });

  it('pages the model list', async () => {
    const first = JSON.parse(
      (await call(`${fake.baseUrl}/models?limit=1`, undefined, headers)).text,
    );
    expect(first).toMatchObject({
      data: [{ id: 'claude-sonnet-4-20250514', type: 'model' }],
      has_more: true,
    });
    const second = JSON.parse(
      (await call(`${fake.baseUrl}/models?limit=1&after_id=${first.last_id}`, undefined, headers))
        .text,
    );
    expect(second).toMatchObject({ data: [{ id: 'claude-3-5-haiku-20241022' }], has_more: false });
  });

  it('sends an error event mid-stream', async () => {
    fake.inject({ kind: 'stream-error', afterChunks: 2, message: 'Overloaded', times: 1 });
    const answer = await call(
      `${fake.baseUrl}/messages`,
      { ...messagesBody, stream: true },
      headers,
    );
    expect(answer.text).toContain(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
  });
});

describe('key details and leaky errors', () => {
  const key = 'sk-or-v1-0123456789abcdef0123456789abcdef';

  it('OpenRouter answers GET /api/v1/key with the key reply, and 401 for a wrong key', async () => {
    const fake = await startFakeUpstream({ flavor: 'openrouter', expectApiKey: key });
    try {
      fake.setReply({
        keyInfo: {
          limit: 5,
          usage: 1.5,
          isFreeTier: true,
          rateLimit: { requests: 20, interval: '10s' },
        },
      });
      const answer = await call(`${fake.baseUrl}/key`, undefined, {
        authorization: `Bearer ${key}`,
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({
        data: {
          label: 'sk-or-v1-012...def',
          limit: 5,
          usage: 1.5,
          limit_remaining: 3.5,
          is_free_tier: true,
          is_provisioning_key: false,
          rate_limit: { requests: 20, interval: '10s' },
        },
      });
      expect(fake.requests[0]?.route).toBe('key');
      const wrong = await call(`${fake.baseUrl}/key`, undefined, { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);

      fake.inject({ kind: 'status', status: 402, route: 'key', times: 1 });
      fake.inject({ kind: 'status', status: 429, route: 'key', retryAfter: 3, times: 1 });
      const headers = { authorization: `Bearer ${key}` };
      const outOfCredit = await call(`${fake.baseUrl}/key`, undefined, headers);
      expect(outOfCredit.status).toBe(402);
      expect(JSON.parse(outOfCredit.text)).toEqual({
        error: { code: 402, message: 'Injected 402' },
      });
      const limited = await call(`${fake.baseUrl}/key`, undefined, headers);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('3');
      // Faults for the key route leave the model list alone.
      fake.inject({ kind: 'status', status: 500, route: 'key' });
      expect((await call(`${fake.baseUrl}/models`, undefined, headers)).status).toBe(200);
    } finally {
      await fake.close();
    }
  });

  it('echoKeyInErrors makes auth failures and injected statuses quote the key received', async () => {
    const anthropic = await startFakeUpstream({
      flavor: 'anthropic',
      expectApiKey: 'sk-ant-right-000000000000',
      echoKeyInErrors: true,
    });
    const openrouter = await startFakeUpstream({ flavor: 'openrouter', echoKeyInErrors: true });
    try {
      const denied = await call(`${anthropic.baseUrl}/models`, undefined, {
        'x-api-key': 'sk-ant-leaked-1111111111',
        'anthropic-version': '2023-06-01',
      });
      expect(denied.status).toBe(401);
      expect(denied.text).toContain('sk-ant-leaked-1111111111');

      openrouter.inject({ kind: 'status', status: 401, message: 'User not found.', times: 1 });
      const injected = await call(`${openrouter.baseUrl}/chat/completions`, chatBody, {
        authorization: 'Bearer sk-or-v1-leaked-2222222222',
      });
      expect(injected.status).toBe(401);
      expect(JSON.parse(injected.text)).toEqual({
        error: { code: 401, message: 'User not found. (key: sk-or-v1-leaked-2222222222)' },
      });
    } finally {
      await anthropic.close();
      await openrouter.close();
    }
  });

  it('without echoKeyInErrors the Anthropic fake does not quote the key', async () => {
    const anthropic = await startFakeUpstream({ flavor: 'anthropic', expectApiKey: 'right-key' });
    try {
      const denied = await call(`${anthropic.baseUrl}/models`, undefined, {
        'x-api-key': 'sk-ant-wrong-3333333333',
        'anthropic-version': '2023-06-01',
      });
      expect(denied.text).not.toContain('sk-ant-wrong');
    } finally {
      await anthropic.close();
    }
  });
});
