/**
 * Keeps `metrics_daily` up to date: recomputes the daily rollups of every day from
 * the last one rolled up to today (a day still receiving rows is recomputed on each
 * pass), from live requests and benchmark results, and remembers how far it got.
 */
import type { Storage } from '../storage/index.js';
import {
  createRequestRollup,
  dayOf,
  dayStart,
  daysBetween,
  rollupResults,
} from './metrics-rollup.js';

/** The settings key holding the start of the oldest day that may still change, epoch ms. */
const progressKey = 'metrics.rollups.from';
const dayMs = 86_400_000;

/** Creates the rollup job over a gateway's storage. */
export function createRollupJob(
  storage: Pick<Storage, 'metrics' | 'benchmarks' | 'settings' | 'requests'>,
  now: () => number = Date.now,
) {
  let running: Promise<string[]> | undefined;

  /** Recomputes every day from `from` to today; returns the days written. */
  async function rollUp(from: number): Promise<string[]> {
    await storage.requests.flush();
    const to = now();
    const days = daysBetween(from, to);
    for (const day of days) {
      const start = dayStart(day);
      const end = start + dayMs;
      // A busy day is folded a page at a time: its request rows never sit in memory together.
      const live = createRequestRollup();
      for await (const page of storage.metrics.requestPages(start, end)) live.add(page);
      const results = await storage.benchmarks.results({
        since: start,
        until: end,
        withoutAnswers: true,
      });
      await storage.metrics.replaceDays('live', [day], live.rollups());
      await storage.metrics.replaceDays('benchmark', [day], rollupResults(results));
    }
    // Yesterday stays open a day longer: request-log rows are flushed after the fact.
    await storage.settings.set(progressKey, String(dayStart(dayOf(to)) - dayMs));
    return days;
  }

  return {
    /**
     * Rolls up every day not yet final (from the oldest data on a first pass); with
     * `since`, every day from then as well. Concurrent calls share one pass.
     */
    refresh(since?: number): Promise<string[]> {
      running ??= (async () => {
        const stored = await storage.settings.get(progressKey);
        const from = stored === undefined ? await storage.metrics.earliest() : Number(stored);
        const start = Math.min(from ?? now(), since ?? Number.POSITIVE_INFINITY);
        return rollUp(Number.isFinite(start) ? start : now());
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

/** The rollup job of a gateway. */
export type RollupJob = ReturnType<typeof createRollupJob>;
