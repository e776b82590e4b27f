import { describe, expect, it } from 'vitest';
import type { MonitoredRequest } from '../storage/index.js';
import { comparisonResults } from './__fixtures__/comparison-results.js';
import {
  bucketOf,
  bucketUpperBound,
  histogramPercentile,
  percentile,
} from './latency-histogram.js';
import { aggregateRollups } from './metrics-query.js';
import { dayOf, daysBetween, rollupRequests, rollupResults } from './metrics-rollup.js';

const day1 = Date.parse('2024-05-01T10:00:00Z');
const day2 = Date.parse('2024-05-02T10:00:00Z');

function request(
  model: string,
  createdAt: number,
  latencyMs: number,
  overrides: Partial<MonitoredRequest> = {},
): MonitoredRequest {
  return {
    createdAt,
    model,
    task: 'narrative_generation',
    status: 200,
    errorCode: null,
    latencyMs,
    firstTokenMs: 50,
    promptTokens: 10,
    completionTokens: 100,
    costUsd: 0.001,
    benchmark: false,
    ...overrides,
  };
}

describe('latency histograms', () => {
  it('put a latency in the bucket whose bound is within 10% above it', () => {
    for (const latency of [1, 2, 37, 999, 1000, 45_000]) {
      const bound = bucketUpperBound(bucketOf(latency));
      expect(bound).toBeGreaterThanOrEqual(latency * 0.999999);
      expect(bound).toBeLessThanOrEqual(Math.max(1, latency * 1.1));
    }
  });

  it('give percentiles within 10% of the exact ones', () => {
    const latencies = Array.from({ length: 200 }, (_unused, index) => 100 + index * 10);
    const histogram: Record<string, number> = {};
    for (const latency of latencies)
      histogram[String(bucketOf(latency))] = (histogram[String(bucketOf(latency))] ?? 0) + 1;
    for (const fraction of [0.5, 0.95]) {
      const exact = percentile(latencies, fraction) ?? 0;
      const approximate = histogramPercentile(histogram, fraction) ?? 0;
      expect(approximate).toBeGreaterThanOrEqual(exact);
      expect(approximate).toBeLessThanOrEqual(exact * 1.1 + 1);
    }
    expect(histogramPercentile({}, 0.5)).toBeNull();
  });
});

describe('daily rollups and /api/metrics grouping', () => {
  const rollups = rollupRequests([
    request('a/one', day1, 100),
    request('a/one', day1, 300, {
      status: 502,
      errorCode: 'upstream_error',
      completionTokens: null,
    }),
    request('a/one', day2, 200),
    request('b/two', day2, 1000, { task: null, costUsd: null }),
  ]);

  it('fold requests into one row per day, model and task', () => {
    expect(
      rollups.map((rollup) => [
        rollup.day,
        rollup.model,
        rollup.task,
        rollup.requests,
        rollup.errors,
      ]),
    ).toEqual([
      ['2024-05-01', 'a/one', 'narrative_generation', 2, 1],
      ['2024-05-02', 'a/one', 'narrative_generation', 1, 0],
      ['2024-05-02', 'b/two', null, 1, 0],
    ]);
    // Tokens/s counts answered requests with known tokens only: 100 tokens in 100 ms.
    expect(rollups[0]).toMatchObject({ throughputTokens: 100, throughputMs: 100, costUsd: 0.002 });
  });

  it('group by model over days, by day, and by task', () => {
    const byModel = aggregateRollups(rollups, ['model']);
    expect(byModel.map((row) => [row.model, row.requests, row.errorRate])).toEqual([
      ['a/one', 3, 1 / 3],
      ['b/two', 1, 0],
    ]);
    expect(byModel[0]).toMatchObject({
      averageLatencyMs: 200,
      tokensPerSecond: 200 / 0.3,
      averageFirstTokenMs: 50,
    });
    expect(byModel[0]?.costUsd).toBeCloseTo(0.003, 10);
    expect(aggregateRollups(rollups, ['day']).map((row) => [row.day, row.requests])).toEqual([
      ['2024-05-01', 2],
      ['2024-05-02', 2],
    ]);
    expect(aggregateRollups(rollups, ['task']).map((row) => [row.task, row.requests])).toEqual([
      [null, 1],
      ['narrative_generation', 3],
    ]);
  });

  it('fold benchmark results with pass, safety and quality figures', () => {
    const [row] = aggregateRollups(
      rollupResults(
        comparisonResults.filter((result) => result.model === 'b/fast' && result.createdAt === 2),
      ),
      ['model'],
    );
    expect(row).toMatchObject({
      model: 'b/fast',
      scenarios: 12,
      passRate: 6 / 12,
      safetyPassRate: 2 / 8,
      quality: 0.75,
    });
  });

  it('list the UTC days of a span', () => {
    expect(daysBetween(day1, day2)).toEqual(['2024-05-01', '2024-05-02']);
    expect(dayOf(Date.parse('2024-05-01T23:59:59Z'))).toBe('2024-05-01');
  });
});
