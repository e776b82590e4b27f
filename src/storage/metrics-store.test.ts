import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { RequestLogEntry } from './request-log-types.js';
import type { Storage } from './storage.js';

const noon = Date.parse('2024-05-01T12:00:00Z');
const dayStart = Date.parse('2024-05-01T00:00:00Z');

/** A day of requests whose costs are reported, missing, or missing with tokens to price. */
function aDayOfRequests(): RequestLogEntry[] {
  let sequence = 0;
  const entry = (fields: Partial<RequestLogEntry>): RequestLogEntry => {
    sequence += 1;
    return {
      id: `live-${sequence}`,
      createdAt: noon - sequence * 1000,
      model: 'up/slow',
      requestedModel: 'up/slow',
      task: 'narrative_generation',
      stream: false,
      status: 200,
      latencyMs: 800,
      ...fields,
    };
  };
  return [
    entry({ costUsd: 0.0031, promptTokens: 100, completionTokens: 50 }),
    entry({ costUsd: 0.0017, promptTokens: 90, completionTokens: 40 }),
    entry({ promptTokens: 120, completionTokens: 80 }),
    entry({ promptTokens: 70, completionTokens: null }),
    entry({ status: 502, errorCode: 'upstream_error' }),
    entry({ task: 'crisis_screening', promptTokens: 30, completionTokens: 10 }),
    entry({ model: 'up/fast', task: null, costUsd: 0.0002, completionTokens: 20 }),
    entry({ model: 'up/fast', task: null, promptTokens: 11, completionTokens: 22 }),
    // The benchmark's own call: counted only when benchmarks are included.
    entry({ id: 'bench-run-1', model: 'up/fast', task: null, costUsd: 0.01 }),
    // Yesterday, and a request no model answered: never counted.
    entry({ createdAt: dayStart - 1, costUsd: 5 }),
    entry({ model: null, costUsd: 7 }),
  ];
}

describeEachDialect('metrics store: cost totals', (database) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await database.open({ now: () => noon });
    for (const entry of aDayOfRequests()) storage.requests.record(entry);
    await storage.requests.flush();
  });

  it('sum reported costs and the tokens of unpriced requests per model and task, in the database', async () => {
    const totals = await storage.metrics.costTotals(dayStart, noon + 1, {
      includeBenchmarks: true,
    });
    const sorted = totals.sort((left, right) =>
      `${left.model}${left.task}`.localeCompare(`${right.model}${right.task}`),
    );
    expect(sorted).toEqual([
      {
        model: 'up/fast',
        task: null,
        requests: 3,
        reportedCostUsd: expect.closeTo(0.0102, 12),
        unpricedRequests: 1,
        unpricedPromptTokens: 11,
        unpricedCompletionTokens: 22,
      },
      {
        model: 'up/slow',
        task: 'crisis_screening',
        requests: 1,
        reportedCostUsd: 0,
        unpricedRequests: 1,
        unpricedPromptTokens: 30,
        unpricedCompletionTokens: 10,
      },
      {
        model: 'up/slow',
        task: 'narrative_generation',
        requests: 5,
        reportedCostUsd: expect.closeTo(0.0048, 12),
        // The failed request had no tokens: nothing to price.
        unpricedRequests: 2,
        unpricedPromptTokens: 190,
        unpricedCompletionTokens: 80,
      },
    ]);
  });

  it('agree with the request rows they summarise, and leave benchmark calls out unless asked', async () => {
    for (const includeBenchmarks of [false, true]) {
      const [totals, rows] = await Promise.all([
        storage.metrics.costTotals(dayStart, noon + 1, { includeBenchmarks }),
        storage.metrics.requestsBetween(dayStart, noon + 1, { includeBenchmarks }),
      ]);
      expect(totals.reduce((sum, group) => sum + group.requests, 0)).toBe(rows.length);
      expect(totals.reduce((sum, group) => sum + group.reportedCostUsd, 0)).toBeCloseTo(
        rows.reduce((sum, row) => sum + (row.costUsd ?? 0), 0),
        12,
      );
    }
    const live = await storage.metrics.costTotals(dayStart, noon + 1);
    expect(live.find((group) => group.model === 'up/fast')?.requests).toBe(2);
  });

  it('page through the same requests as one read, in the same order, ties in time included', async () => {
    // Three more requests in the same millisecond, so a page boundary falls inside a tie.
    for (const id of ['tie-c', 'tie-a', 'tie-b']) {
      storage.requests.record({
        id,
        createdAt: noon - 500,
        model: 'up/tie',
        requestedModel: 'up/tie',
        stream: false,
        status: 200,
        latencyMs: 10,
      });
    }
    await storage.requests.flush();
    for (const includeBenchmarks of [false, true]) {
      const whole = await storage.metrics.requestsBetween(dayStart, noon + 1, {
        includeBenchmarks,
      });
      const paged = [];
      for await (const page of storage.metrics.requestPages(dayStart, noon + 1, {
        includeBenchmarks,
        pageSize: 2,
      })) {
        expect(page.length).toBeLessThanOrEqual(2);
        paged.push(...page);
      }
      expect(whole.length).toBe(includeBenchmarks ? 12 : 11);
      expect(paged).toEqual(whole);
    }
  });
});
