import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { StartupError, serve } from './serve.js';

const upstreamKey = 'sk-upstream-secret-key-123456';
let fake: FakeUpstream;
let test: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream({
    flavor: 'openai',
    expectApiKey: upstreamKey,
    reply: { text: 'The lantern flickers as you step into the cave.', chunks: 4 },
  });
  const refused = await closedPortOrigin();
  test = await startTestGateway({
    providers: [
      { id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: upstreamKey },
      { id: 'gone', type: 'openai-compatible', baseUrl: `${refused}/v1`, models: ['ghost'] },
    ],
  });
  client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterEach(() => fake.reset());
afterAll(async () => {
  await test.close();
  await fake.close();
});

const messages = [{ role: 'user' as const, content: 'Where am I?' }];

async function raw(path: string, init: RequestInit = {}) {
  const response = await fetch(`${test.url}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: body as Record<string, any> };
}

function postChat(
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return raw('/v1/chat/completions', { method: 'POST', headers, body });
}

describe('the openai SDK against the gateway', () => {
  it('answers a chat completion and says which model answered', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'up/gpt-4o-mini', messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(
      'The lantern flickers as you step into the cave.',
    );
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tta-model')).toBe('up/gpt-4o-mini');
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
    // The upstream saw its own model id and our key, not the client's.
    const seen = fake.requests.at(-1);
    expect(seen?.body.model).toBe('gpt-4o-mini');
    expect(seen?.headers.authorization).toBe(`Bearer ${upstreamKey}`);
  });

  it('streams, with the usage chunk only when the client asks for it', async () => {
    const withUsage = await client.chat.completions.create({
      model: 'up/gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks += 1;
    }
    expect(text).toBe('The lantern flickers as you step into the cave.');
    expect(usageChunks).toBe(1);

    const withoutUsage = await client.chat.completions.create({
      model: 'up/gpt-4o-mini',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.every((chunk) => !chunk.usage)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'The lantern flickers as you step into the cave.',
    );
  });

  it('lists models as <provider>/<model>', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['up/gpt-4o-mini', 'up/gpt-4o', 'gone/ghost']));
  });

  it('says clearly when a model does not exist', async () => {
    await expect(
      client.chat.completions.create({ model: 'nowhere/model', messages }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      message: expect.stringContaining('"up", "gone"'),
    });
    await client.models.list();
    await expect(
      client.chat.completions.create({ model: 'up/gpt-9', messages }),
    ).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('does not offer the model "gpt-9"'),
    });
  });

  it('passes tools and response_format through to the upstream', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'roll_dice', parameters: { type: 'object' } },
      },
    ];
    await client.chat.completions.create({
      model: 'up/gpt-4o',
      messages,
      tools,
      response_format: { type: 'json_object' },
    });
    expect(fake.requests.at(-1)?.body).toMatchObject({
      tools,
      response_format: { type: 'json_object' },
    });
  });
});

describe('upstream failures', () => {
  it('maps a 500 to a 502 with an OpenAI-shaped error', async () => {
    fake.inject({ kind: 'status', status: 500, message: 'boom', route: 'chat' });
    const response = await postChat(JSON.stringify({ model: 'up/gpt-4o', messages }));
    expect(response.status).toBe(502);
    expect(response.body.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
  });

  it('passes a 429 on with Retry-After', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: 7, route: 'chat' });
    const response = await postChat(JSON.stringify({ model: 'up/gpt-4o', messages }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.body.error.code).toBe('upstream_rate_limited');
  });

  it('answers 502 upstream_unreachable when the upstream refuses connections', async () => {
    const response = await postChat(JSON.stringify({ model: 'gone/ghost', messages }));
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('upstream_unreachable');
  });

  it('ends a stream cut mid-way with an error the SDK raises, never a silent short answer', async () => {
    fake.inject({ kind: 'cut', afterChunks: 2, route: 'chat' });
    const stream = await client.chat.completions.create({
      model: 'up/gpt-4o',
      messages,
      stream: true,
    });
    await expect(async () => {
      for await (const _chunk of stream) {
      }
    }).rejects.toThrow();
  });

  it('aborts the upstream call when the client goes away', async () => {
    fake.inject({ kind: 'hang', route: 'chat' });
    const controller = new AbortController();
    const upstreamRequest = fake.nextRequest();
    const call = client.chat.completions.create(
      { model: 'up/gpt-4o', messages },
      { signal: controller.signal },
    );
    const seen = await upstreamRequest;
    controller.abort();
    await expect(call).rejects.toThrow();
    expect(await seen.settled).toBe('client-closed');
  });

  it('never echoes the upstream key in an error', async () => {
    fake.inject({ kind: 'status', status: 401, route: 'chat' });
    const response = await postChat(JSON.stringify({ model: 'up/gpt-4o', messages }));
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('upstream_auth_failed');
    expect(JSON.stringify(response.body)).not.toContain(upstreamKey);
  });
});

describe('bad input gets a clear 4xx, never a 500', () => {
  it.each([
    [
      'malformed JSON',
      '{"model": "up/gpt-4o", "messages": [',
      400,
      'invalid_json',
      /not valid JSON/,
    ],
    [
      'missing messages',
      JSON.stringify({ model: 'up/gpt-4o' }),
      400,
      'invalid_request',
      /messages is required/,
    ],
    [
      'empty messages',
      JSON.stringify({ model: 'up/gpt-4o', messages: [] }),
      400,
      'invalid_request',
      /at least one message/,
    ],
    ['missing model', JSON.stringify({ messages }), 400, 'invalid_request', /model is required/],
    [
      'wrong role',
      JSON.stringify({ model: 'up/gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }),
      400,
      'invalid_request',
      /messages\.0\.role/,
    ],
    [
      'temperature as text',
      JSON.stringify({ model: 'up/gpt-4o', messages, temperature: 'hot' }),
      400,
      'invalid_request',
      /temperature/,
    ],
    ['a body that is not an object', '42', 400, 'invalid_request', /object/],
  ])('%s', async (_name, body, status, code, message) => {
    const response = await postChat(body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(message);
    expect(response.body.error.type).toBe('invalid_request_error');
  });

  it('refuses an oversized body with 413 naming the limit', async () => {
    const huge = JSON.stringify({
      model: 'up/gpt-4o',
      messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }],
    });
    const response = await postChat(huge);
    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain('server.bodyLimitBytes');
  });

  it('refuses a non-JSON content type with 415', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await postChat(JSON.stringify({ model: 'up/gpt-4o', messages }), {
        'content-type': contentType,
      });
      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('unsupported_media_type');
      expect(response.body.error.message).toContain('application/json');
    }
  });

  it('answers unknown routes with an OpenAI-shaped 404', async () => {
    const response = await raw('/v1/completions-typo');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('route_not_found');
  });
});

describe('operations', () => {
  it('serves liveness, readiness, metrics, the OpenAPI document, its reference and the dashboard', async () => {
    expect((await raw('/healthz')).body).toEqual({ status: 'ok' });
    expect((await raw('/readyz')).body).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', providers: 2 },
    });
    await client.chat.completions.create({ model: 'up/gpt-4o-mini', messages });
    const metrics = await raw('/metrics');
    expect(metrics.body).toMatch(
      /tta_models_chat_requests_total\{model="up\/gpt-4o-mini",stream="false",status="200"\} \d+/,
    );
    const openapi = await raw('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/chat/completions', '/v1/models', '/api/requests']),
    );
    expect(openapi.body.paths['/v1/chat/completions'].post.requestBody).toBeDefined();
    expect((await raw('/docs/')).body).toContain('<html');
    expect((await raw('/')).body).toContain('<title>tta-models dashboard</title>');
  });

  it('records every request, readable through the admin API', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'up/gpt-4o-mini', messages, metadata: { task: 'narrative_generation' } })
      .withResponse();
    const id = response.headers.get('x-request-id');
    const recent = await raw('/api/requests?limit=5', {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    expect(recent.status).toBe(200);
    expect(recent.body.requests.find((request: { id: string }) => request.id === id)).toMatchObject(
      {
        model: 'up/gpt-4o-mini',
        task: 'narrative_generation',
        status: 200,
        promptTokens: 10,
        completionTokens: 6,
      },
    );
  });

  it('records a request refused before any model was chosen, with its status and code', async () => {
    const refused = await postChat(
      JSON.stringify({ model: 'nowhere/model', messages, stream: true }),
      { 'content-type': 'application/json', 'x-request-id': 'refused-at-planning-1' },
    );
    expect(refused.status).toBe(404);
    const recent = await raw('/api/requests?limit=20', {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    expect(
      recent.body.requests.find(
        (request: { id: string }) => request.id === 'refused-at-planning-1',
      ),
    ).toMatchObject({
      model: null,
      providerId: null,
      requestedModel: 'nowhere/model',
      stream: true,
      status: 404,
      errorCode: 'model_not_found',
    });
  });

  it('keeps the management API behind the admin token', async () => {
    expect((await raw('/api/providers')).status).toBe(401);
    expect(
      (await raw('/api/providers', { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
    const { token, user } = await test.gateway.users.add('player-for-403');
    const asUser = await raw('/api/providers', { headers: { authorization: `Bearer ${token}` } });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe('admin_required');
    await test.gateway.users.revoke(user.id);
    const providers = await raw('/api/providers', {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    expect(providers.status).toBe(200);
    expect(providers.body.providers).toEqual([
      expect.objectContaining({ providerId: 'up', ok: true, models: 2 }),
      expect.objectContaining({ providerId: 'gone', ok: false }),
    ]);
  });
});

describe('security defaults', () => {
  it('refuses to listen beyond loopback without client API keys or users', async () => {
    const open = await startTestGateway({
      providers: [{ id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl }],
    });
    try {
      await expect(serve(open.gateway, { host: '0.0.0.0', port: 0 })).rejects.toThrow(StartupError);
      await expect(serve(open.gateway, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
        /auth\.apiKeys/,
      );
      // Revoking the only user leaves the data plane locked: it must not open up again.
      const { user } = await open.gateway.users.add('only-player');
      await open.gateway.users.revoke(user.id);
      const listening = await serve(open.gateway, { host: '127.0.0.1', port: 0 });
      try {
        const response = await fetch(`${listening.url}/v1/models`);
        expect(response.status).toBe(401);
      } finally {
        await listening.close();
      }
    } finally {
      await open.close();
    }
  });

  it('demands a client key on /v1 when keys are configured', async () => {
    const key = 'client-key-abcdefghijklmnop';
    const locked = await startTestGateway({
      auth: { apiKeys: [key] },
      providers: [
        { id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: upstreamKey },
      ],
    });
    try {
      const anonymous = new OpenAI({
        baseURL: `${locked.url}/v1`,
        apiKey: 'wrong-key',
        maxRetries: 0,
      });
      await expect(
        anonymous.chat.completions.create({ model: 'up/gpt-4o', messages }),
      ).rejects.toMatchObject({ status: 401 });
      const keyed = new OpenAI({ baseURL: `${locked.url}/v1`, apiKey: key, maxRetries: 0 });
      const answer = await keyed.chat.completions.create({ model: 'up/gpt-4o', messages });
      expect(answer.choices[0]?.message.content).toContain('lantern');
    } finally {
      await locked.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight stream before closing', async () => {
    const slowFake = await startFakeUpstream({
      flavor: 'openai',
      reply: { text: 'one two three four five', chunks: 5, chunkDelayMs: 40 },
    });
    const own = await startTestGateway({
      providers: [{ id: 'slow', type: 'openai-compatible', baseUrl: slowFake.baseUrl }],
    });
    try {
      const ownClient = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const stream = await ownClient.chat.completions.create({
        model: 'slow/gpt-4o',
        messages,
        stream: true,
      });
      const closing = own.server.close();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      await closing;
      expect(text).toBe('one two three four five');
      await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
    } finally {
      await own.close();
      await slowFake.close();
    }
  });
});
