/**
 * The load suite: the real gateway (`tta-models serve`, its own process) under a steady,
 * bounded loopback load — streamed and non-streamed requests mixed — on a route whose
 * primary upstream fails one call in five. Every request must get a complete, well-formed
 * answer (streams end with `[DONE]`), because a healthy fallback exists.
 *
 * Sized for `npm test` on a small shared machine; run bigger by hand, e.g.
 * `TTA_LOAD_RATE=2000 TTA_LOAD_SECONDS=30 npx vitest run src/load/load.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FallbackRoute, startFallbackRoute } from '../../testkit/fallback-route.js';
import { type MixedLoadOptions, runMixedLoad } from '../../testkit/mixed-load.js';
import { scrapeMetrics, sumSamples } from '../../testkit/prometheus-samples.js';

const rate = Number(process.env.TTA_LOAD_RATE ?? 200);
const seconds = Number(process.env.TTA_LOAD_SECONDS ?? 15);

/** Chat answers the gateway counted as 200 so far. */
async function answeredOk(url: string): Promise<number> {
  return sumSamples(await scrapeMetrics(url), 'tta_models_chat_requests_total', { status: '200' });
}

describe('the gateway under load with a failing primary', () => {
  let route: FallbackRoute;
  let load: MixedLoadOptions;
  beforeAll(async () => {
    route = await startFallbackRoute();
    load = route.mixedLoad(rate, seconds);
    // Warm the gateway up first: while it is still compiling its hot path, answers come back
    // out of order and three failures in a row open the primary's breaker for 15 s, which
    // would send the measured load past the primary instead of through its failures.
    const warmUp = await runMixedLoad({ ...load, rate: Math.min(rate, 100), seconds: 3 });
    expect(warmUp.errorSamples).toEqual([]);
  }, 120_000);
  afterAll(() => route?.stop());

  it(
    `answers ${rate} req/s for ${seconds} s, 20% of primary calls failing, with no client-visible error`,
    async () => {
      route.failPrimary();
      const countedBefore = await answeredOk(route.gateway.url);
      const result = await runMixedLoad(load);
      const counted = (await answeredOk(route.gateway.url)) - countedBefore;
      const primaryCalls = route.primary.requestCount;
      const injected = route.primary.faultCount;
      const answeredBySecondary = result.answersByText[route.secondaryText] ?? 0;
      const milliseconds = (value: number | null) => `${value?.toFixed(1) ?? '-'} ms`;
      console.log(
        [
          `load: ${result.requests} requests (${result.streamed} streamed) at ${rate} req/s for ${seconds} s:`,
          `${result.achievedRate.toFixed(0)} answers/s over ${result.elapsedSeconds.toFixed(1)} s,`,
          `${result.clientErrors} client errors;`,
          `primary failed ${injected} of ${primaryCalls} calls (${((100 * injected) / primaryCalls).toFixed(1)}%),`,
          `${result.fallbackAnswers} answers fell back (x-tta-fallbacks),`,
          `${answeredBySecondary} answered by the secondary;`,
          `latency p50 ${milliseconds(result.latencyMs.p50)}, p99 ${milliseconds(result.latencyMs.p99)},`,
          `max ${milliseconds(result.latencyMs.max)}; generator send lag p99 ${milliseconds(result.sendLagP99Ms)}`,
        ].join(' '),
      );

      expect(result.errorSamples, 'client-visible errors').toEqual([]);
      expect(result.clientErrors).toBe(0);
      expect(result.requests).toBe(Math.round(rate * seconds));
      expect(counted).toBe(result.requests);
      // Every answer is one of the two complete texts.
      expect((result.answersByText[route.primaryText] ?? 0) + answeredBySecondary).toBe(
        result.requests,
      );
      // Failures were injected, and each one was carried by exactly one fallback.
      expect(injected).toBeGreaterThan(0);
      expect(result.fallbackAnswers).toBe(injected);
      expect(answeredBySecondary).toBeGreaterThanOrEqual(injected);
      expect(route.secondary.requestCount).toBe(answeredBySecondary);
    },
    (seconds + 120) * 1000,
  );
});
