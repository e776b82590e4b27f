/**
 * Keeps `metrics_daily` up to date: recomputes the daily rollups of every day from
 * the last one rolled up to today (a day still receiving rows is recomputed on each
 * pass), from live requests and benchmark results, and remembers how far it got.
 *
 * With `keepRequestsDays`, request-log rows (and users' daily counters) older than that
 * many days are deleted once their days are rolled up: the rollups keep their figures,
 * and the live rollup of a day whose rows were deleted is never recomputed (that would
 * empty it).
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
/** The settings key holding the time before which request rows were deleted, epoch ms. */
const prunedKey = 'requests.pruned.before';
const dayMs = 86_400_000;

/** Creates the rollup job over a gateway's storage. */
export function createRollupJob(
  storage: Pick<Storage, 'metrics' | 'benchmarks' | 'settings' | 'requests' | 'usage'>,
  now: () => number = Date.now,
  keepRequestsDays?: number,
) {
  let running: Promise<string[]> | undefined;

  /** The start of the oldest day whose request rows are kept (-Infinity: all are). */
  function horizon(): number {
    if (keepRequestsDays === undefined) return Number.NEGATIVE_INFINITY;
    return dayStart(dayOf(now())) - keepRequestsDays * dayMs;
  }

  /** Recomputes every day from `from` to today; returns the days written. */
  async function rollUp(from: number): Promise<string[]> {
    await storage.requests.flush();
    const to = now();
    const days = daysBetween(from, to);
    const pruned = Number((await storage.settings.get(prunedKey)) ?? Number.NEGATIVE_INFINITY);
    for (const day of days) {
      const start = dayStart(day);
      const end = start + dayMs;
      // A day whose request rows were deleted keeps the live rollup it had.
      if (start >= pruned) {
        // A busy day is folded a page at a time: its request rows never sit in memory together.
        const live = createRequestRollup();
        for await (const page of storage.metrics.requestPages(start, end)) live.add(page);
        await storage.metrics.replaceDays('live', [day], live.rollups());
      }
      const results = await storage.benchmarks.results({
        since: start,
        until: end,
        withoutAnswers: true,
      });
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

    /**
     * Rolls up, then deletes the request rows and users' daily counters of days before the
     * kept ones. Resolves with how many of each went (none without `keepRequestsDays`).
     */
    async prune(): Promise<{ requests: number; usageRows: number }> {
      if (keepRequestsDays === undefined) return { requests: 0, usageRows: 0 };
      await this.refresh();
      const before = horizon();
      // Said first: should the deletion stop half-way, no later pass recomputes those days.
      // Never moved back (more days kept from now on do not bring deleted rows back).
      const stored = Number((await storage.settings.get(prunedKey)) ?? Number.NEGATIVE_INFINITY);
      if (before > stored) await storage.settings.set(prunedKey, String(before));
      return {
        requests: await storage.requests.prune(before),
        usageRows: await storage.usage.pruneBefore(dayOf(before)),
      };
    },
  };
}

/** The rollup job of a gateway. */
export type RollupJob = ReturnType<typeof createRollupJob>;
