import type { BenchmarkScoreSource, TaskScore } from '../spec/index.js';
import type { BenchResultRecord } from '../storage/index.js';
import { computeStandings, type TaskStanding, toTaskScore } from './task-standings.js';

/**
 * Benchmark scores kept in memory so selection reads them synchronously on the hot
 * path. Loaded when the gateway starts and refreshed after every run.
 */
export interface BenchmarkScoreCache {
  /** What selection reads. */
  readonly scores: BenchmarkScoreSource;
  /** Every standing, with the figures comparisons and alert suggestions use. */
  standings(task?: string): readonly TaskStanding[];
  /** Reloads from the store; on failure the previous scores stay. */
  refresh(): Promise<void>;
}

/** A cache over `load` (every stored result, answers left out). */
export function createBenchmarkScoreCache(
  load: () => Promise<BenchResultRecord[]>,
): BenchmarkScoreCache {
  let byTask = new Map<string, TaskStanding[]>();
  let scoresByTask = new Map<string, readonly TaskScore[]>();
  return {
    scores: {
      scoresFor: (task) => scoresByTask.get(task) ?? [],
    },
    standings(task) {
      return task === undefined ? [...byTask.values()].flat() : (byTask.get(task) ?? []);
    },
    async refresh() {
      const standings = computeStandings(await load());
      const grouped = new Map<string, TaskStanding[]>();
      for (const standing of standings)
        grouped.set(standing.task, [...(grouped.get(standing.task) ?? []), standing]);
      byTask = grouped;
      scoresByTask = new Map(
        [...grouped].map(([task, list]) => [task, Object.freeze(list.map(toTaskScore))]),
      );
    },
  };
}
