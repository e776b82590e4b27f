import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import { openStorage, type RequestLogEntry, type Storage } from '../storage/index.js';
import { createBenchmarkMonitoring } from './benchmark-monitoring.js';
import { alertsConfigSchema } from './benchmarks-config.js';
import { dayOf } from './metrics-rollup.js';
import { createRollupJob } from './metrics-rollup-job.js';

const dayMs = 86_400_000;
const today = Date.parse('2026-11-28T12:00:00.000Z');

function request(id: string, createdAt: number): RequestLogEntry {
  return {
    id,
    createdAt,
    requestedModel: 'auto',
    providerId: 'up',
    model: 'up/storyteller',
    task: 'narrative_generation',
    stream: false,
    status: 200,
    latencyMs: 120,
    promptTokens: 10,
    completionTokens: 30,
  };
}

describeEachDialect('request-log retention', (database) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await database.open({ flushIntervalMs: 3_600_000, now: () => today });
  });
  afterEach(async () => {
    await storage.close();
  });

  it('deletes rows past the kept days once rolled up; the rollups keep their figures', async () => {
    // 12,000 rows five days ago (more than one deletion batch), 3 yesterday, 2 today.
    for (let index = 0; index < 12_000; index += 1) {
      storage.requests.record(request(`old-${index}`, today - 5 * dayMs + index));
    }
    for (let index = 0; index < 3; index += 1) {
      storage.requests.record(request(`yesterday-${index}`, today - dayMs + index));
    }
    storage.requests.record(request('today-0', today - 1));
    storage.requests.record(request('today-1', today - 2));
    await storage.requests.flush();
    await storage.usage.charge({ userId: 'u1', day: dayOf(today - 5 * dayMs) }, 40, 0.01);
    await storage.usage.charge({ userId: 'u1', day: dayOf(today) }, 40, 0.01);

    const job = createRollupJob(storage, () => today, 2);
    expect(await job.prune()).toEqual({ requests: 12_000, usageRows: 1 });

    const left = await storage.requests.recent({ limit: 100 });
    expect(left.map((row) => row.id).sort()).toEqual([
      'today-0',
      'today-1',
      'yesterday-0',
      'yesterday-1',
      'yesterday-2',
    ]);
    expect(await storage.usage.list(dayOf(today - 5 * dayMs))).toEqual([]);
    expect((await storage.usage.list(dayOf(today))).map((usage) => usage.userId)).toEqual(['u1']);

    // Recomputing every day from before the pruned one leaves its rollup as it was.
    await job.refresh(today - 6 * dayMs);
    const rollups = await storage.metrics.rollups({ source: 'live' });
    const requestsOn = (day: number) =>
      rollups.find((rollup) => rollup.day === dayOf(day))?.requests ?? 0;
    expect(requestsOn(today - 5 * dayMs)).toBe(12_000);
    expect(requestsOn(today - dayMs)).toBe(3);
    expect(requestsOn(today)).toBe(2);
  }, 60_000);

  it("keeps a pruned day's rollup when more days are kept later", async () => {
    storage.requests.record(request('old', today - 5 * dayMs));
    await storage.requests.flush();
    await createRollupJob(storage, () => today, 2).prune();
    const keepingMore = createRollupJob(storage, () => today, 30);
    await keepingMore.prune();
    await keepingMore.refresh(today - 10 * dayMs);
    const rollups = await storage.metrics.rollups({
      source: 'live',
      from: dayOf(today - 5 * dayMs),
    });
    expect(rollups.find((rollup) => rollup.day === dayOf(today - 5 * dayMs))?.requests).toBe(1);
  });

  it('keeps every row without a number of days to keep', async () => {
    storage.requests.record(request('ancient', today - 400 * dayMs));
    await storage.requests.flush();
    const job = createRollupJob(storage, () => today);
    expect(await job.prune()).toEqual({ requests: 0, usageRows: 0 });
    expect((await storage.requests.recent()).map((row) => row.id)).toEqual(['ancient']);
  });
});

describe('a serving gateway', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('deletes old request rows a minute after it starts, then every hour', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let clock = today;
    const storage = await openStorage({ path: ':memory:', flushIntervalMs: 3_600_000 });
    const said: string[] = [];
    const monitoring = createBenchmarkMonitoring({
      alerts: alertsConfigSchema.parse({ evaluateEverySeconds: 0 }),
      storage,
      standings: () => [],
      logger: {
        info: (_, message) => said.push(message),
        warn: (_, message) => said.push(message),
      },
      now: () => clock,
      keepRequestsDays: 2,
    });
    const pruned = async (): Promise<string[]> =>
      (await storage.requests.recent({ limit: 10 })).map((row) => row.id);
    try {
      storage.requests.record(request('old', today - 5 * dayMs));
      storage.requests.record(request('recent', today - dayMs));
      await storage.requests.flush();
      monitoring.start();
      await vi.advanceTimersByTimeAsync(59_000);
      expect(await pruned()).toEqual(['recent', 'old']);
      await vi.advanceTimersByTimeAsync(2_000);
      await vi.waitFor(async () => expect(await pruned()).toEqual(['recent']));
      expect(said).toEqual([
        'deleted request-log rows older than 2 days (their daily rollups stay)',
      ]);

      clock += 2 * dayMs;
      await vi.advanceTimersByTimeAsync(3_600_000);
      await vi.waitFor(async () => expect(await pruned()).toEqual([]));
    } finally {
      monitoring.stop();
      await storage.close();
    }
  });
});
