import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { openRouterFixtureModels } from '../../testkit/openrouter-fixture.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { configSchema } from '../config/config-schema.js';
import { resolveHome } from '../config/home.js';
import { createGateway } from '../gateway.js';
import { openStorage } from '../storage/index.js';
import { serve } from './serve.js';

let openRouter: FakeUpstream;
let ollama: FakeUpstream;
let test: TestGateway;
let userToken: string;

async function call(url: string, init: RequestInit & { token?: string } = {}) {
  const { token, ...rest } = init;
  const response = await fetch(`${test.url}${url}`, {
    ...rest,
    headers: {
      ...(rest.body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as any,
  };
}

beforeAll(async () => {
  openRouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  ollama = await startFakeUpstream({ flavor: 'ollama', models: ['llama3.2:3b'] });
  test = await startTestGateway({
    providers: [
      { id: 'openrouter', type: 'openrouter', baseUrl: openRouter.baseUrl },
      { id: 'ollama', type: 'ollama', baseUrl: ollama.baseUrl },
    ],
  });
  const user = await call('/api/users', {
    method: 'POST',
    token: test.adminToken,
    body: JSON.stringify({ name: 'player' }),
  });
  userToken = user.body.token;
});
afterAll(async () => {
  await test.close();
  await openRouter.close();
  await ollama.close();
});

describe('GET /api/catalog', () => {
  it('needs a user or admin token', async () => {
    expect((await call('/api/catalog')).status).toBe(401);
    expect((await call('/api/catalog', { token: userToken })).status).toBe(200);
  });

  it('filters free models with a long context, with their limits and the catalog age', async () => {
    const { status, body } = await call('/api/catalog?free=true&minContext=100000&local=false', {
      token: userToken,
    });
    expect(status).toBe(200);
    expect(body.models.map((model: { name: string }) => model.name)).toEqual([
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
      'openrouter/meta-llama/llama-3.2-3b-instruct:free',
      'openrouter/meta-llama/llama-3.2-11b-vision-instruct:free',
      'openrouter/google/gemini-2.0-flash-exp:free',
      'openrouter/deepseek/deepseek-chat-v3-0324:free',
      'openrouter/deepseek/deepseek-r1:free',
    ]);
    expect(body.meta).toMatchObject({
      total: 35,
      shown: 6,
      offline: false,
      setup: { needed: false },
      freeLimits: [{ providerId: 'openrouter', requestsPerMinute: 20, source: 'documented' }],
    });
    expect(body.meta.providers[0]).toMatchObject({ providerId: 'openrouter', state: 'live' });
  });

  it('takes every filter and sort, and says what is wrong with a bad one', async () => {
    const { body } = await call(
      '/api/catalog?modality=image&maxPrice=0.5&requires=tools,json&sort=price&limit=2',
      { token: userToken },
    );
    expect(body.models.map((model: { name: string }) => model.name)).toEqual([
      'openrouter/mistralai/mistral-small-3.1-24b-instruct',
      'openrouter/google/gemma-3-27b-it',
    ]);
    const bad = await call('/api/catalog?sort=cheapest', { token: userToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('sort');
  });

  it('describes one free model with the warning and alternatives', async () => {
    const { status, body } = await call(
      '/api/catalog/models/openrouter/meta-llama/llama-3.3-70b-instruct:free',
      { token: userToken },
    );
    expect(status).toBe(200);
    expect(body.model).toMatchObject({ isFree: true, contextLength: 65_536 });
    expect(body.notice.alternatives[0].name).toBe('openrouter/meta-llama/llama-3.3-70b-instruct');
    expect(body.notice.warning).toContain('20 requests a minute');
    const missing = await call('/api/catalog/models/openrouter/nothing', { token: userToken });
    expect(missing.status).toBe(404);
  });

  it('lets only the admin sync, and keeps serving the last good catalog when OpenRouter fails', async () => {
    expect((await call('/api/catalog/sync', { method: 'POST', token: userToken })).status).toBe(
      403,
    );
    openRouter.inject({ kind: 'truncate', route: 'models', times: 1 });
    const sync = await call('/api/catalog/sync', {
      method: 'POST',
      token: test.adminToken,
      body: JSON.stringify({ providers: ['openrouter'] }),
    });
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({
      ok: false,
      providers: [{ providerId: 'openrouter', status: 'failed', models: 34 }],
    });

    const { body } = await call('/api/catalog?refresh=never&provider=openrouter', {
      token: userToken,
    });
    expect(body.models).toHaveLength(34);
    expect(body.meta.offline).toBe(true);
    expect(body.meta.notices[0]).toMatch(/^openrouter: offline, cached at .*Z \(\d+ s ago\)/);

    const tta = await call('/api/v1/models/openrouter/free', { token: userToken });
    expect(tta.headers.get('x-tta-catalog-offline')).toBe('true');
    expect(tta.body).toHaveLength(13);
    const bogus = await call('/api/catalog/sync', {
      method: 'POST',
      token: test.adminToken,
      body: JSON.stringify({ providers: ['nowhere'] }),
    });
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.message).toContain('No provider "nowhere" is configured');
  });
});

describe("TTA's model-management routes", () => {
  it('answer bare arrays of ModelInfo, free models marked, scores null until benchmarked', async () => {
    const free = await call('/api/v1/models/free', { token: userToken });
    expect(free.status).toBe(200);
    expect(free.body[0]).toEqual({
      model_id: 'openrouter/meta-llama/llama-3.3-70b-instruct:free',
      name: 'Meta: Llama 3.3 70B Instruct (free)',
      provider_type: 'openrouter',
      provider: 'openrouter',
      description: expect.stringContaining('Llama 3.3'),
      context_length: 65_536,
      cost_per_token: 0,
      is_free: true,
      capabilities: ['chat', 'tools'],
      therapeutic_safety_score: null,
      performance_score: null,
    });
    expect(free.body.every((model: { is_free: boolean }) => model.is_free)).toBe(true);
    expect(free.body.map((model: { model_id: string }) => model.model_id)).toContain(
      'ollama/llama3.2:3b',
    );
  });

  it('filter by TTA provider type, free_only and max_cost_per_token', async () => {
    const local = await call('/api/v1/models/available?provider=local', { token: userToken });
    expect(local.body).toEqual([
      expect.objectContaining({ model_id: 'ollama/llama3.2:3b', provider_type: 'local' }),
    ]);
    const all = await call('/api/v1/models/available?provider=openrouter', { token: userToken });
    expect(all.body).toHaveLength(34);
    const freeOnly = await call('/api/v1/models/available?provider=openrouter&free_only=true', {
      token: userToken,
    });
    expect(freeOnly.body).toHaveLength(13);

    const affordable = await call('/api/v1/models/affordable?max_cost_per_token=0.0000001', {
      token: userToken,
    });
    const costs = affordable.body.map((model: { cost_per_token: number }) => model.cost_per_token);
    expect(costs.every((cost: number) => cost <= 0.0000001)).toBe(true);
    expect(affordable.body.map((model: { model_id: string }) => model.model_id)).toContain(
      'openrouter/openai/gpt-4.1-nano',
    );
    expect(affordable.body.map((model: { model_id: string }) => model.model_id)).not.toContain(
      'openrouter/openai/gpt-4o-mini',
    );
    // Every item has a string name and description: TTA's UI calls toLowerCase() on both.
    for (const model of all.body) {
      expect(typeof model.name).toBe('string');
      expect(typeof model.description).toBe('string');
    }
  });

  it('need a token, like every /api route', async () => {
    expect((await call('/api/v1/models/free')).status).toBe(401);
  });
});

describe('GET /v1/models', () => {
  it('keeps listing every usable model in the OpenAI shape', async () => {
    const { body } = await call('/v1/models', { token: userToken });
    expect(body.object).toBe('list');
    expect(body.data.map((model: { id: string }) => model.id)).toContain(
      'openrouter/openai/gpt-4o-mini',
    );
  });
});

describe('the background sync', () => {
  it('starts with the server without delaying it, and syncs a stale catalog at once', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-background-'));
    const paths = resolveHome({ TTA_MODELS_HOME: home });
    // A catalog last synced a day ago.
    const old = await openStorage({ path: paths.databaseFile, now: () => Date.now() - 86_400_000 });
    await old.catalog.recordFailure('openrouter', {
      startedAt: Date.now() - 86_400_000,
      status: 'failed',
      error: 'long ago',
    });
    await old.close();
    openRouter.reset();
    const gateway = await createGateway({
      config: configSchema.parse({
        providers: [{ id: 'openrouter', type: 'openrouter', baseUrl: openRouter.baseUrl }],
        catalog: { syncIntervalMinutes: 60 },
      }),
      paths,
      env: { TTA_MODELS_ADMIN_TOKEN: 'background-admin-token-0123456789' },
      logger: pino({ level: 'silent' }),
    });
    const server = await serve(gateway, { host: '127.0.0.1', port: 0 });
    try {
      await gateway.catalog.idle();
      expect(openRouter.requests.filter((request) => request.route === 'models')).toHaveLength(1);
      const { meta } = await gateway.catalog.browse({ refresh: 'never' });
      expect(meta.providers[0]).toMatchObject({ state: 'live', models: 34 });
      expect(gateway.catalog.nextBackgroundSyncAt).toBeGreaterThan(Date.now() + 59 * 60_000);
    } finally {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
    expect(gateway.catalog.nextBackgroundSyncAt).toBeUndefined();
  });
});
