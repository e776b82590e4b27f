import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { BenchResultRecord } from './benchmark-store.js';
import type { Storage } from './storage.js';

const clock = 1_700_000_000_000;

function result(overrides: Partial<BenchResultRecord> = {}): BenchResultRecord {
  return {
    id: `res_${Math.random().toString(16).slice(2)}`,
    runId: 'run_1',
    model: 'up/good',
    modelVersion: 'good-2024',
    scenarioId: 'crisis-a',
    suite: 'crisis-safety',
    suiteVersion: 1,
    task: 'crisis_screening',
    safety: true,
    status: 'answered',
    passed: true,
    safetyPassed: true,
    quality: 1,
    checks: [{ kind: 'crisis-response', passed: true, detail: 'ok' }],
    judgeModel: null,
    judgeScore: null,
    judgeReasons: null,
    answer: 'Please call 988.',
    error: null,
    latencyMs: 120,
    firstTokenMs: 40,
    promptTokens: 10,
    completionTokens: 20,
    tokensPerSecond: 250,
    costUsd: 0.001,
    attempts: 1,
    createdAt: clock,
    ...overrides,
  };
}

describeEachDialect('benchmark and monitoring stores', (database) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await database.open({ now: () => clock });
  });

  describe('benchmark store', () => {
    it('keeps one result per run, model and scenario, and counts them on the run', async () => {
      await storage.benchmarks.createRun({
        id: 'run_1',
        createdAt: clock,
        status: 'running',
        models: ['up/good'],
        task: null,
        suite: null,
        judgeModel: null,
        concurrency: 2,
        total: 2,
        plan: { scenarios: [] },
      });
      expect(await storage.benchmarks.addResult(result())).toBe(true);
      expect(await storage.benchmarks.addResult(result())).toBe(false);
      expect(
        await storage.benchmarks.addResult(
          result({ scenarioId: 'crisis-b', passed: false, status: 'error', createdAt: clock + 1 }),
        ),
      ).toBe(true);
      const run = await storage.benchmarks.getRun('run_1');
      expect(run).toMatchObject({
        recorded: 2,
        errors: 1,
        passed: 1,
        models: ['up/good'],
        plan: { scenarios: [] },
      });
      expect([...(await storage.benchmarks.recordedKeys('run_1'))]).toHaveLength(2);
      const stored = await storage.benchmarks.results({ runId: 'run_1', withoutAnswers: true });
      expect(stored.map((row) => [row.scenarioId, row.answer, row.safetyPassed])).toEqual([
        ['crisis-a', null, true],
        ['crisis-b', null, true],
      ]);
      await storage.benchmarks.setRunStatus('run_1', 'completed');
      expect((await storage.benchmarks.getRun('run_1'))?.finishedAt).toBe(clock);
    });
  });

  describe('metrics store', () => {
    it('replaces the rollups of a day and reads them back with filters', async () => {
      const rollup = {
        day: '2024-05-01',
        source: 'live' as const,
        model: 'up/good',
        task: null,
        requests: 3,
        errors: 1,
        latencyMsSum: 300,
        latencyHistogram: { '40': 3 },
        firstTokenMsSum: 0,
        firstTokenCount: 0,
        promptTokens: 30,
        completionTokens: 60,
        throughputTokens: 60,
        throughputMs: 300,
        costUsd: 0.01,
        scenarios: 0,
        passed: 0,
        safetyTotal: 0,
        safetyPassed: 0,
        qualitySum: 0,
      };
      await storage.metrics.replaceDays('live', ['2024-05-01'], [rollup]);
      await storage.metrics.replaceDays('live', ['2024-05-01'], [{ ...rollup, requests: 4 }]);
      expect(await storage.metrics.rollups({ source: 'live', task: null })).toEqual([
        { ...rollup, requests: 4 },
      ]);
      expect(await storage.metrics.rollups({ from: '2024-05-02' })).toEqual([]);
    });

    it('reads live requests without the benchmark runner\u2019s own', async () => {
      storage.requests.record({
        id: 'live-1',
        createdAt: clock,
        model: 'up/good',
        requestedModel: 'up/good',
        stream: false,
        status: 200,
        latencyMs: 50,
      });
      storage.requests.record({
        id: 'bench-run_1-1',
        createdAt: clock,
        model: 'up/good',
        requestedModel: 'up/good',
        stream: true,
        status: 200,
        latencyMs: 70,
      });
      await storage.requests.flush();
      const live = await storage.metrics.requestsBetween(clock - 1, clock + 1);
      expect(live.map((row) => row.latencyMs)).toEqual([50]);
      const all = await storage.metrics.requestsBetween(clock - 1, clock + 1, {
        includeBenchmarks: true,
      });
      expect(all.map((row) => row.benchmark).sort()).toEqual([false, true]);
    });
  });

  describe('alert store', () => {
    it('opens one alert per key until it is cleared', async () => {
      const alert = {
        key: 'error_rate|up/good|*',
        metric: 'error_rate' as const,
        model: 'up/good',
        task: null,
        value: 0.5,
        threshold: 0.1,
        message: 'error rate 50%',
        suggestion: { kind: 'model', text: 'use up/other' },
      };
      const opened = await storage.alerts.open(alert);
      expect(opened).toMatchObject({ status: 'open', value: 0.5 });
      expect(await storage.alerts.open({ ...alert, value: 0.6 })).toBeUndefined();
      expect(await storage.alerts.openAlerts()).toMatchObject([{ id: opened?.id, value: 0.6 }]);
      expect(await storage.alerts.clear(opened?.id ?? '', 0.05)).toMatchObject({
        status: 'cleared',
        clearedAt: clock,
      });
      expect(await storage.alerts.clear(opened?.id ?? '', 0.05)).toBeUndefined();
      expect(await storage.alerts.open(alert)).toMatchObject({ status: 'open' });
      expect(await storage.alerts.list()).toHaveLength(2);
    });
  });
});
