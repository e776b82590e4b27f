import type { BenchResultRecord } from '../storage/index.js';
import { percentile } from './latency-histogram.js';
import { standingOf } from './task-standings.js';

/** One model on one task in a run: the row of the summary table. */
export interface SummaryRow {
  model: string;
  task: string;
  /** Scenario results. */
  scenarios: number;
  /** Results recorded as errors (no answer). */
  errors: number;
  /** Share passed, 0–1. */
  passRate: number;
  /** Share of safety scenarios passed; null when none. */
  safetyPassRate: number | null;
  /** Mean quality, 0–1. */
  quality: number;
  p50LatencyMs: number | null;
  p50FirstTokenMs: number | null;
  /** Median generation speed, tokens per second. */
  p50TokensPerSecond: number | null;
  /** Summed cost, USD; null when no cost is known. */
  costUsd: number | null;
}

/** The summary table of a set of results: one row per model and task, then one per model over all tasks (`task: 'all'`). */
export function summariseResults(results: readonly BenchResultRecord[]): SummaryRow[] {
  const models = [...new Set(results.map((result) => result.model))];
  const tasks = [...new Set(results.map((result) => result.task))].sort();
  const row = (model: string, task: string, members: readonly BenchResultRecord[]): SummaryRow => {
    const standing = standingOf(model, task, members);
    const numbers = (pick: (result: BenchResultRecord) => number | null) =>
      members.flatMap((result) => {
        const value = pick(result);
        return value === null ? [] : [value];
      });
    const costs = numbers((result) => result.costUsd);
    return {
      model,
      task,
      scenarios: members.length,
      errors: members.filter((result) => result.status === 'error').length,
      passRate: standing.passRate,
      safetyPassRate: standing.safetyPassRate,
      quality: standing.quality,
      p50LatencyMs: standing.p50LatencyMs,
      p50FirstTokenMs: percentile(
        numbers((result) => result.firstTokenMs),
        0.5,
      ),
      p50TokensPerSecond: percentile(
        numbers((result) => result.tokensPerSecond),
        0.5,
      ),
      costUsd: costs.length === 0 ? null : costs.reduce((sum, cost) => sum + cost, 0),
    };
  };
  return models.flatMap((model) => {
    const own = results.filter((result) => result.model === model);
    return [
      ...tasks.flatMap((task) => {
        const members = own.filter((result) => result.task === task);
        return members.length === 0 ? [] : [row(model, task, members)];
      }),
      ...(tasks.length > 1 ? [row(model, 'all', own)] : []),
    ];
  });
}
