import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { RequestLogEntry } from './request-log-types.js';
import type { Storage } from './storage.js';

/** One request at minute `minute` of a fixed clock. */
function at(minute: number, id: string, overrides: Partial<RequestLogEntry>): RequestLogEntry {
  return {
    id,
    createdAt: minute * 60_000,
    requestedModel: 'auto',
    providerId: 'openrouter',
    model: 'openrouter/llama',
    stream: false,
    status: 200,
    latencyMs: 100,
    ...overrides,
  };
}

describeEachDialect('request queries', (database) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await database.open({ flushIntervalMs: 3_600_000 });
    const entries = [
      at(1, 'l1', { latencyMs: 100, promptTokens: 10, completionTokens: 20, costUsd: 0.01 }),
      at(2, 'l2', { latencyMs: 300, promptTokens: 10, completionTokens: 20, costUsd: 0.02 }),
      at(3, 'l3', { latencyMs: 200, promptTokens: 10, completionTokens: null, costUsd: null }),
      at(4, 'l4', { latencyMs: 900, status: 502, errorCode: 'upstream_error' }),
      // A stream that failed after its 200 counts as an error too.
      at(5, 'l5', { latencyMs: 50, stream: true, errorCode: 'stream_interrupted' }),
      at(6, 'o1', {
        model: 'ollama/qwen',
        providerId: 'ollama',
        latencyMs: 40,
        promptTokens: 5,
        completionTokens: 5,
      }),
      at(7, 'n1', {
        model: null,
        providerId: null,
        requestedModel: 'missing/model',
        status: 404,
        errorCode: 'model_not_found',
        latencyMs: 1,
      }),
    ];
    for (const entry of entries) storage.requests.record(entry);
  });

  describe('recent', () => {
    it('lists the newest first, unflushed records included', async () => {
      const records = await storage.requests.recent();
      expect(records.map((record) => record.id)).toEqual([
        'n1',
        'o1',
        'l5',
        'l4',
        'l3',
        'l2',
        'l1',
      ]);
      expect(records[0]).toMatchObject({ model: null, providerId: null, status: 404 });
    });

    it('honours limit, model and since', async () => {
      expect((await storage.requests.recent({ limit: 2 })).map((record) => record.id)).toEqual([
        'n1',
        'o1',
      ]);
      const llama = await storage.requests.recent({ model: 'openrouter/llama', since: 3 * 60_000 });
      expect(llama.map((record) => record.id)).toEqual(['l5', 'l4', 'l3']);
      expect(await storage.requests.recent({ model: 'nobody/none' })).toEqual([]);
    });
  });

  describe('summary', () => {
    it('totals each model, busiest first', async () => {
      const summaries = await storage.requests.summary();
      expect(summaries.map((summary) => summary.model)).toEqual([
        'openrouter/llama',
        null,
        'ollama/qwen',
      ]);
      const [llama, unanswered, qwen] = summaries;
      expect(llama).toEqual({
        model: 'openrouter/llama',
        requests: 5,
        errors: 2,
        p50LatencyMs: 200,
        p95LatencyMs: 900,
        averageLatencyMs: (100 + 300 + 200 + 900 + 50) / 5,
        promptTokens: 30,
        completionTokens: 40,
        totalTokens: 70,
        costUsd: expect.closeTo(0.03, 10),
      });
      expect(unanswered).toMatchObject({
        requests: 1,
        errors: 1,
        p50LatencyMs: 1,
        totalTokens: 0,
        costUsd: 0,
      });
      expect(qwen).toMatchObject({ requests: 1, errors: 0, p50LatencyMs: 40, totalTokens: 10 });
    });

    it('counts only requests since the given time', async () => {
      const summaries = await storage.requests.summary({ since: 4 * 60_000 });
      const llama = summaries.find((summary) => summary.model === 'openrouter/llama');
      expect(llama).toMatchObject({ requests: 2, errors: 2, p50LatencyMs: 50, p95LatencyMs: 900 });
      expect(await storage.requests.summary({ since: 60 * 60_000 })).toEqual([]);
    });
  });
});
