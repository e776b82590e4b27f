/**
 * The soak (`npm run test:soak`, not part of `npm test`): the load suite's gateway and
 * route under a steady load for five minutes, with the primary failing one call in five and
 * alerts evaluated every ten seconds, its memory sampled from `/metrics` throughout. After a
 * warm-up, resident memory and the heap's floor must be flat: the second half's level close
 * to the first's, and no steady climb.
 *
 * Overrides: `TTA_SOAK_RATE` (req/s, default 100), `TTA_SOAK_SECONDS` (default 300),
 * `TTA_SOAK_WARMUP_SECONDS` (left out of the judgement, default 60).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FallbackRoute, startFallbackRoute } from '../../testkit/fallback-route.js';
import {
  describeTrend,
  floorPerBucket,
  type MemorySample,
  memoryTrend,
} from '../../testkit/memory-trend.js';
import { runMixedLoad } from '../../testkit/mixed-load.js';
import { scrapeMetrics, sumSamples } from '../../testkit/prometheus-samples.js';

const rate = Number(process.env.TTA_SOAK_RATE ?? 100);
const seconds = Number(process.env.TTA_SOAK_SECONDS ?? 300);
const warmupSeconds = Number(process.env.TTA_SOAK_WARMUP_SECONDS ?? 60);
// Often enough that each 30 s bucket holds a sample taken just after a collection.
const sampleEverySeconds = 2;

describe('the gateway over a five-minute soak', () => {
  let route: FallbackRoute;
  beforeAll(async () => {
    route = await startFallbackRoute({
      // Every ten seconds instead of every minute: the soak sees thirty evaluations, each
      // over the whole day so far, where a per-evaluation cost that grows would show.
      alerts: {
        evaluateEverySeconds: 10,
        rules: [{ model: '*', costPerDayUsd: 1000, errorRate: 0.9, p95LatencyMs: 10_000 }],
      },
    });
  }, 120_000);
  afterAll(() => route?.stop());

  it(
    `keeps memory flat at ${rate} req/s for ${seconds} s`,
    async () => {
      route.failPrimary();
      const rss: MemorySample[] = [];
      const heap: MemorySample[] = [];
      const started = performance.now();
      let loading = true;
      const sampling = (async () => {
        while (loading) {
          const text = await scrapeMetrics(route.gateway.url);
          const atSeconds = (performance.now() - started) / 1000;
          rss.push({
            atSeconds,
            bytes: sumSamples(text, 'tta_models_process_resident_memory_bytes'),
          });
          heap.push({
            atSeconds,
            bytes: sumSamples(text, 'tta_models_nodejs_heap_size_used_bytes'),
          });
          await sleep(sampleEverySeconds * 1000);
        }
      })();
      const result = await runMixedLoad(route.mixedLoad(rate, seconds)).finally(() => {
        loading = false;
      });
      await sampling;

      const judged = (samples: MemorySample[]) =>
        samples.filter((sample) => sample.atSeconds >= warmupSeconds);
      const rssTrend = memoryTrend(judged(rss));
      const heapTrend = memoryTrend(floorPerBucket(judged(heap), 30));
      const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)}`;
      const everyFifth = (samples: MemorySample[]) =>
        samples
          .filter((_, index) => index % 5 === 0)
          .map((sample) => megabytes(sample.bytes))
          .join(' ');
      console.log(
        [
          `soak: ${result.requests} requests at ${rate} req/s for ${seconds} s, ${result.clientErrors} client errors,`,
          `primary failed ${route.primary.faultCount} of ${route.primary.requestCount} calls,`,
          `${result.fallbackAnswers} fallbacks; latency p50 ${result.latencyMs.p50?.toFixed(1)} ms, p99 ${result.latencyMs.p99?.toFixed(1)} ms`,
          `\n  RSS MB every ${5 * sampleEverySeconds} s: ${everyFifth(rss)}`,
          `\n  heap used MB every ${5 * sampleEverySeconds} s: ${everyFifth(heap)}`,
          `\n  after ${warmupSeconds} s of warm-up: ${describeTrend('RSS', rssTrend)}`,
          `\n  ${describeTrend('heap floor per 30 s', heapTrend)}`,
        ].join(' '),
      );

      expect(result.errorSamples, 'client-visible errors').toEqual([]);
      expect(result.fallbackAnswers).toBe(route.primary.faultCount);
      // Generous bounds, for a collector's moods: over the 24,000 requests judged by default,
      // a heap keeping ~500 bytes a request, or resident memory growing ~2 kB a request,
      // fails them.
      expect(rssTrend.halvesRatio).toBeLessThan(1.2);
      expect(rssTrend.growthOverSpan).toBeLessThan(0.25);
      expect(heapTrend.halvesRatio).toBeLessThan(1.25);
      expect(heapTrend.growthOverSpan).toBeLessThan(0.25);
    },
    (seconds + 180) * 1000,
  );
});
