import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { createOpenAICompatible } from '../providers/openai-compatible/openai-compatible-provider.js';
import type { Provider } from '../spec/index.js';
import { createModelList } from './model-list.js';

let fake: FakeUpstream;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeUpstream({
    flavor: 'openai',
    models: ['narrator-small', 'narrator-large'],
  });
  provider = createOpenAICompatible({ id: 'up', baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await provider.close();
  await fake.close();
});

function listCalls(): number {
  return fake.requests.filter((request) => request.route === 'models').length;
}

describe('model list', () => {
  it('lists once per TTL, keeps the last good list through a failure, and retries after the retry interval', async () => {
    fake.reset();
    let clock = 0;
    const models = createModelList([provider], { ttlMs: 1_000, retryMs: 100, now: () => clock });

    const [first] = await models.all();
    expect(first).toMatchObject({ providerId: 'up', known: true, listedAt: 0 });
    expect(first?.models.map((model) => model.id)).toEqual(['narrator-small', 'narrator-large']);
    await models.all();
    expect(listCalls()).toBe(1);

    clock = 1_000;
    fake.inject({ kind: 'status', status: 503, route: 'models', times: 1 });
    const [failed] = await models.all();
    expect(failed?.error).toMatch(/503|unavailable/i);
    expect(failed?.models.map((model) => model.id)).toEqual(['narrator-small', 'narrator-large']);
    expect(failed?.known).toBe(true);
    expect(failed?.listedAt).toBe(0);

    clock = 1_050;
    await models.all();
    expect(listCalls()).toBe(2);
    clock = 1_100;
    const [recovered] = await models.all();
    expect(listCalls()).toBe(3);
    expect(recovered).toMatchObject({ known: true, listedAt: 1_100 });
    expect(recovered?.error).toBeUndefined();
  });

  it('shares one listing between concurrent callers', async () => {
    fake.reset();
    const models = createModelList([provider]);
    await Promise.all([models.all(), models.all(), models.all()]);
    expect(listCalls()).toBe(1);
  });

  it('reports a provider that never answered as unknown, with its error', async () => {
    fake.reset();
    fake.inject({ kind: 'refuse', route: 'models', times: 1 });
    const models = createModelList([provider]);
    const [listing] = await models.all();
    expect(listing).toMatchObject({ providerId: 'up', known: false, models: [] });
    expect(listing?.error).toBeTruthy();
    expect(models.cached('up')?.known).toBe(false);
  });
});
