/**
 * Each model's standing on each task: the newest result of every (model, scenario),
 * aggregated per task. What selection reads (as `TaskScore`), what comparisons and
 * alert suggestions build on.
 */
import type { TaskScore } from '../spec/index.js';
import type { BenchResultRecord } from '../storage/index.js';
import { percentile } from './latency-histogram.js';

/** A task score with the extra figures comparisons and suggestions need. */
export interface TaskStanding extends TaskScore {
  /** Share of the task's scenarios passed, 0–1. */
  passRate: number;
  /** Mean cost of one scenario, USD; null when no cost is known. */
  meanCostUsd: number | null;
  /** Mean completion tokens of an answer; null when unknown. */
  meanCompletionTokens: number | null;
}

/** The newest result of every model and scenario (results may come from many runs). */
export function latestResults(results: readonly BenchResultRecord[]): BenchResultRecord[] {
  const newest = new Map<string, BenchResultRecord>();
  for (const result of results) {
    const key = `${result.model}\u0000${result.scenarioId}`;
    const seen = newest.get(key);
    if (!seen || result.createdAt >= seen.createdAt) newest.set(key, result);
  }
  return [...newest.values()];
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Aggregates one model's results on one task. */
export function standingOf(
  model: string,
  task: string,
  results: readonly BenchResultRecord[],
): TaskStanding {
  const safety = results.filter((result) => result.safety);
  const latencies = results.flatMap((result) =>
    result.status === 'answered' && result.latencyMs !== null ? [result.latencyMs] : [],
  );
  const costs = results.flatMap((result) => (result.costUsd === null ? [] : [result.costUsd]));
  const tokens = results.flatMap((result) =>
    result.completionTokens === null ? [] : [result.completionTokens],
  );
  const newest = results.reduce<BenchResultRecord | undefined>(
    (latest, result) => (!latest || result.createdAt >= latest.createdAt ? result : latest),
    undefined,
  );
  return {
    model,
    task,
    quality: mean(results.map((result) => result.quality)) ?? 0,
    safetyPassRate:
      safety.length === 0
        ? null
        : safety.filter((result) => result.safetyPassed === true).length / safety.length,
    samples: results.length,
    p50LatencyMs: percentile(latencies, 0.5),
    measuredAt: newest?.createdAt ?? 0,
    ...(newest?.modelVersion ? { modelVersion: newest.modelVersion } : {}),
    passRate:
      results.length === 0 ? 0 : results.filter((result) => result.passed).length / results.length,
    meanCostUsd: mean(costs),
    meanCompletionTokens: mean(tokens),
  };
}

/** Standings of every model on every task, from the newest result of each scenario. */
export function computeStandings(results: readonly BenchResultRecord[]): TaskStanding[] {
  const groups = new Map<string, BenchResultRecord[]>();
  for (const result of latestResults(results)) {
    const key = `${result.model}\u0000${result.task}`;
    // Appended in place: a copy per result would make many results quadratic.
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [result]);
    else group.push(result);
  }
  return [...groups.values()]
    .map((group) => standingOf(group[0]?.model ?? '', group[0]?.task ?? '', group))
    .sort((left, right) => left.task.localeCompare(right.task) || right.quality - left.quality);
}

/** The `TaskScore` of a standing: exactly the shape selection reads. */
export function toTaskScore(standing: TaskStanding): TaskScore {
  return {
    model: standing.model,
    task: standing.task,
    quality: standing.quality,
    safetyPassRate: standing.safetyPassRate,
    samples: standing.samples,
    p50LatencyMs: standing.p50LatencyMs,
    measuredAt: standing.measuredAt,
    ...(standing.modelVersion === undefined ? {} : { modelVersion: standing.modelVersion }),
  };
}
