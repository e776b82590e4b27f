import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import {
  openRouterFixtureEntries,
  openRouterFixtureModels,
} from '../../testkit/openrouter-fixture.js';
import type { ProviderConfig } from '../config/config-schema.js';
import { createOllama } from '../providers/ollama/ollama-provider.js';
import { createOpenRouter } from '../providers/openrouter/openrouter-provider.js';
import { ModelNotFoundError } from '../spec/index.js';
import { openStorage, type Storage } from '../storage/index.js';
import { createModelCatalog } from './model-catalog.js';

const start = Date.parse('2025-03-01T12:00:00.000Z');
const fixtureCount = openRouterFixtureEntries().length - 1;
let openRouter: FakeUpstream;
let ollama: FakeUpstream;
let folder: string;
let storage: Storage;
let clock: number;
let apiKey: string | undefined;

beforeAll(async () => {
  openRouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  ollama = await startFakeUpstream({ flavor: 'ollama', models: ['llama3.2:1b', 'qwen2.5:7b'] });
});
afterAll(async () => {
  await openRouter.close();
  await ollama.close();
});
beforeEach(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-catalog-'));
  clock = start;
  apiKey = undefined;
  storage = await openStorage({ path: path.join(folder, 'db.sqlite'), now: () => clock });
  openRouter.reset();
  ollama.reset();
});
afterEach(async () => {
  await storage.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** A catalog over the OpenRouter fake (or another OpenRouter base URL) and the Ollama fake. */
function catalogOf(openRouterUrl = openRouter.baseUrl, withOllama = true) {
  const configs: ProviderConfig[] = [
    { id: 'openrouter', type: 'openrouter', baseUrl: openRouterUrl },
    ...(withOllama ? [{ id: 'ollama', type: 'ollama' as const, baseUrl: ollama.baseUrl }] : []),
  ];
  const providers = [
    createOpenRouter({ id: 'openrouter', baseUrl: openRouterUrl }),
    ...(withOllama ? [createOllama({ id: 'ollama', baseUrl: ollama.baseUrl })] : []),
  ];
  return createModelCatalog({
    store: storage.catalog,
    providers,
    configs,
    apiKeyFor: async () => apiKey,
    now: () => clock,
  });
}

function catalogRequests(): number {
  return openRouter.requests.filter((request) => request.path === '/api/v1/models').length;
}

describe('catalog sync', () => {
  it('stores every provider’s models with the time of the sync, and says what it added', async () => {
    const result = await catalogOf().sync();
    expect(result.ok).toBe(true);
    const [remote, local] = result.providers;
    expect(remote).toMatchObject({
      providerId: 'openrouter',
      status: 'synced',
      models: fixtureCount,
      removed: [],
      changed: [],
      syncedAt: start,
    });
    expect(remote?.added).toHaveLength(fixtureCount);
    expect(remote?.skipped).toEqual([{ index: fixtureCount, reason: 'no model id' }]);
    expect(local).toMatchObject({ providerId: 'ollama', status: 'synced', models: 2 });

    // Stored: a new process (a new catalog over the same file) browses without any download.
    await storage.close();
    storage = await openStorage({ path: path.join(folder, 'db.sqlite'), now: () => clock });
    clock += 5 * 60_000;
    const { models, meta } = await catalogOf(await closedPortOrigin()).browse({
      refresh: 'never',
    });
    expect(models).toHaveLength(fixtureCount + 2);
    const gpt = models.find((model) => model.name === 'openrouter/openai/gpt-4o-mini');
    expect(gpt).toMatchObject({ displayName: 'OpenAI: GPT-4o-mini', providerType: 'openrouter' });
    expect(meta.providers[0]).toMatchObject({
      providerId: 'openrouter',
      state: 'live',
      syncedAt: start,
      ageMs: 5 * 60_000,
    });
    expect(meta.offline).toBe(false);
    const stored = await storage.catalog.list(['openrouter']);
    expect(stored.find((entry) => entry.card.id === 'openai/gpt-4o-mini')?.raw).toMatchObject({
      canonical_slug: expect.any(String),
      top_provider: { is_moderated: true },
    });
  });

  it('reports what a later sync added, changed and removed', async () => {
    await catalogOf().sync();
    const entries = openRouterFixtureEntries().filter(
      (entry) => entry.id !== 'cohere/command-r-08-2024',
    );
    const nemo = entries.find((entry) => entry.id === 'mistralai/mistral-nemo');
    if (nemo) nemo.pricing = { prompt: '0.00000002', completion: '0.00000004' };
    entries.unshift({ ...entries[0], id: 'meta-llama/llama-4-scout:free', name: 'Llama 4 Scout' });
    const changed = await startFakeUpstream({
      flavor: 'openrouter',
      models: openRouterFixtureModels(entries),
    });
    try {
      clock += 60_000;
      const [result] = (await catalogOf(changed.baseUrl, false).sync()).providers;
      expect(result).toMatchObject({
        status: 'synced',
        added: ['meta-llama/llama-4-scout:free'],
        changed: ['mistralai/mistral-nemo'],
        removed: ['cohere/command-r-08-2024'],
        unchanged: fixtureCount - 2,
        syncedAt: start + 60_000,
      });
      const runs = await storage.catalog.runs({ providerId: 'openrouter' });
      expect(runs.map((run) => [run.status, run.added, run.changed, run.removed])).toEqual([
        ['succeeded', 1, 1, 1],
        ['succeeded', fixtureCount, 0, 0],
      ]);
    } finally {
      await changed.close();
    }
  });
});

describe('offline browsing', () => {
  const failures = [
    ['the server is stopped', 'stopped'],
    ['it answers 500', 'status'],
    ['it answers truncated JSON', 'truncate'],
    ['it answers garbage', 'garbage'],
  ] as const;

  it.each(failures)(
    'keeps the last good catalog when %s, flagged "offline, cached at ..."',
    async (_case, fault) => {
      await catalogOf().sync();
      clock += 10 * 60_000;
      const url = fault === 'stopped' ? `${await closedPortOrigin()}/api/v1` : openRouter.baseUrl;
      if (fault === 'status')
        openRouter.inject({ kind: 'status', status: 500, route: 'models', times: 1 });
      if (fault === 'truncate') openRouter.inject({ kind: 'truncate', route: 'models', times: 1 });
      if (fault === 'garbage') openRouter.inject({ kind: 'garbage', route: 'models', times: 1 });
      const catalog = catalogOf(url);

      const [result] = (await catalog.sync({ providerIds: ['openrouter'] })).providers;
      expect(result).toMatchObject({ status: 'failed', models: fixtureCount, syncedAt: start });
      expect(result?.error).toMatch(/^openrouter: could not download its models: /);

      const { models, meta } = await catalog.browse({ refresh: 'never', filter: { free: true } });
      expect(models.filter((model) => model.providerId === 'openrouter').length).toBe(13);
      expect(meta.offline).toBe(true);
      expect(meta.providers[0]).toMatchObject({ state: 'offline', syncedAt: start });
      expect(meta.notices[0]).toMatch(
        /^openrouter: offline, cached at 2025-03-01T12:00:00\.000Z \(10 min ago\); the last sync failed: /,
      );
      expect(await storage.catalog.list(['openrouter'])).toHaveLength(fixtureCount);
    },
  );

  it('shows what it has when a provider was never reachable, and says so', async () => {
    const catalog = catalogOf(`${await closedPortOrigin()}/api/v1`);
    const { models, meta } = await catalog.browse();
    expect(models.map((model) => model.name)).toEqual(['ollama/llama3.2:1b', 'ollama/qwen2.5:7b']);
    expect(meta.providers.map((status) => status.state)).toEqual(['unavailable', 'live']);
    expect(meta.notices[0]).toMatch(
      /^openrouter: no models to show, the catalog was never downloaded/,
    );
    expect(meta.setup).toEqual({ needed: false });
  });

  it('does not trust a download that lost more than half the catalog, unless forced', async () => {
    await catalogOf().sync();
    const few = await startFakeUpstream({
      flavor: 'openrouter',
      models: openRouterFixtureModels(openRouterFixtureEntries().slice(0, 5)),
    });
    try {
      const catalog = catalogOf(few.baseUrl, false);
      const [rejected] = (await catalog.sync()).providers;
      expect(rejected).toMatchObject({ status: 'rejected', models: fixtureCount });
      expect(rejected?.error).toContain('tta-models models sync --force');
      expect(await storage.catalog.list(['openrouter'])).toHaveLength(fixtureCount);

      const [forced] = (await catalog.sync({ force: true })).providers;
      expect(forced).toMatchObject({ status: 'synced', models: 5 });
      expect(forced?.removed).toHaveLength(fixtureCount - 5);
    } finally {
      await few.close();
    }
  });

  it('syncs when browsing only what is due, and waits a minute after a failure', async () => {
    const catalog = catalogOf();
    await catalog.browse();
    await catalog.browse();
    expect(catalogRequests()).toBe(1);

    clock += 6 * 60 * 60_000 + 1;
    openRouter.inject({ kind: 'status', status: 503, route: 'models', times: 1 });
    expect((await catalog.browse()).meta.providers[0]?.state).toBe('offline');
    await catalog.browse();
    expect(catalogRequests()).toBe(2);

    clock += 60_000;
    expect((await catalog.browse()).meta.providers[0]?.state).toBe('live');
    expect(catalogRequests()).toBe(3);
    // Local providers are read again after a minute: they change when a model is pulled.
    expect(ollama.requests.filter((request) => request.path === '/api/tags').length).toBe(3);
  });

  it('shares one download between concurrent browses', async () => {
    const catalog = catalogOf();
    await Promise.all([catalog.browse(), catalog.browse(), catalog.sync()]);
    expect(catalogRequests()).toBe(1);
  });
});

describe('free models', () => {
  it("shows OpenRouter's published limits without a key", async () => {
    const { meta } = await catalogOf().browse({ filter: { free: true } });
    expect(meta.freeLimits).toEqual([
      expect.objectContaining({
        providerId: 'openrouter',
        requestsPerMinute: 20,
        requestsPerDay: 50,
        requestsPerDayWithCredits: 1000,
        source: 'documented',
      }),
    ]);
    expect(meta.freeLimits[0]?.summary).toBe(
      'free models allow 20 requests a minute and 50 a day (1,000 a day once the account has bought at least 10 credits), shared by all free models',
    );
  });

  it("reads the account's tier from the key endpoint when a key is configured", async () => {
    apiKey = 'sk-or-v1-limits-test-key-0123456789';
    openRouter.setReply({
      keyInfo: {
        limit: null,
        usage: 0,
        isFreeTier: true,
        rateLimit: { requests: 20, interval: '10s' },
      },
    });
    const { meta } = await catalogOf().browse({ filter: { free: true } });
    expect(meta.freeLimits[0]).toMatchObject({ source: 'account', requestsPerDay: 50 });
    expect(meta.freeLimits[0]?.summary).toContain('this account has not bought credits');
    const keyCall = openRouter.requests.find((request) => request.path === '/api/v1/key');
    expect(keyCall?.headers.authorization).toBe(`Bearer ${apiKey}`);
    // The model list itself is public: no key is sent with it.
    const listCall = openRouter.requests.find((request) => request.path === '/api/v1/models');
    expect(listCall?.headers.authorization).toBeUndefined();
  });

  it('falls back to the published limits when the key endpoint fails, saying why', async () => {
    apiKey = 'sk-or-v1-limits-test-key-0123456789';
    openRouter.inject({ kind: 'status', status: 500, route: 'key', times: 1 });
    const { meta } = await catalogOf().browse({ filter: { free: true } });
    expect(meta.freeLimits[0]).toMatchObject({ source: 'documented', requestsPerDay: 50 });
    expect(meta.freeLimits[0]?.note).toMatch(/could not be read: .*500/);
    expect(JSON.stringify(meta)).not.toContain(apiKey);
  });

  it('warns when a free model is chosen, with its limits and the nearest alternatives', async () => {
    const catalog = catalogOf();
    const { model, notice } = await catalog.describe(
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
    );
    expect(model.isFree).toBe(true);
    expect(notice?.limits?.requestsPerMinute).toBe(20);
    expect(notice?.warning).toMatch(
      /^openrouter\/meta-llama\/llama-3\.1-8b-instruct:free is free: free models allow 20 requests a minute and 50 a day/,
    );
    const alternatives = notice?.alternatives ?? [];
    expect(alternatives[0]).toMatchObject({
      name: 'openrouter/meta-llama/llama-3.1-8b-instruct',
      reason: 'the same model without free-tier limits',
      local: false,
    });
    expect(alternatives.filter((alternative) => !alternative.local)).toHaveLength(3);
    expect(alternatives[1]).toMatchObject({
      name: 'openrouter/sao10k/l3-lunaris-8b',
      reason: 'a paid model of a similar size (8B parameters)',
    });
    const local = alternatives.filter((alternative) => alternative.local);
    expect(local.map((alternative) => alternative.name).sort()).toEqual([
      'ollama/llama3.2:1b',
      'ollama/qwen2.5:7b',
    ]);
    expect(local[0]?.reason).toBe('runs on this machine: no limits, no cost, nothing leaves it');

    const expiring = await catalog.describe('openrouter/google/gemini-2.0-flash-exp:free');
    expect(expiring.notice?.warning).toContain('may be removed after 2025-06-01');
    expect((await catalog.describe('openrouter/openai/gpt-4o-mini')).notice).toBeUndefined();
    expect((await catalog.describe('ollama/llama3.2:1b')).notice).toBeUndefined();
    await expect(catalog.describe('openrouter/nothing')).rejects.toBeInstanceOf(ModelNotFoundError);
  });
});

describe('setup advice', () => {
  it('sends the user to tta-models setup when no provider is configured', async () => {
    const catalog = createModelCatalog({
      store: storage.catalog,
      providers: [],
      configs: [],
      apiKeyFor: async () => undefined,
    });
    const { models, meta } = await catalog.browse();
    expect(models).toEqual([]);
    expect(catalog.setupNeeded).toBe(true);
    expect(meta.setup.needed).toBe(true);
    expect(meta.notices).toEqual([expect.stringContaining('Run `tta-models setup`')]);
  });
});
