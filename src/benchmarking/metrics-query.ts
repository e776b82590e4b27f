/**
 * `GET /api/metrics`: daily rollups filtered and grouped by model, task, day and
 * source, with rates, means and percentiles computed over each group.
 */
import type { DailyRollup } from '../storage/index.js';
import {
  histogramPercentile,
  type LatencyHistogram,
  mergeHistograms,
} from './latency-histogram.js';

/** What rows can be grouped by. */
export type MetricsGroupBy = 'model' | 'task' | 'day' | 'source';

/** Every grouping, for validation. */
export const metricsGroupings: readonly MetricsGroupBy[] = ['model', 'task', 'day', 'source'];

/** One group's figures. Rates and means are null when nothing was measured. */
export interface MetricsRow {
  model?: string;
  /** Null: requests that named no task. */
  task?: string | null;
  day?: string;
  source?: string;
  /** Requests (live) or scenario results (benchmarks). */
  requests: number;
  errors: number;
  errorRate: number | null;
  averageLatencyMs: number | null;
  /** From the merged latency histograms: within 10% of the exact value. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  averageFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Benchmarks: results, share passed, share of safety scenarios passed, mean quality (0–1). */
  scenarios: number;
  passRate: number | null;
  safetyPassRate: number | null;
  quality: number | null;
}

const ratio = (numerator: number, denominator: number) =>
  denominator > 0 ? numerator / denominator : null;

/** Groups rollups by `groupBy` (in that order) and computes each group's figures. */
export function aggregateRollups(
  rollups: readonly DailyRollup[],
  groupBy: readonly MetricsGroupBy[],
): MetricsRow[] {
  const groups = new Map<string, { rollups: DailyRollup[]; first: DailyRollup }>();
  for (const rollup of rollups) {
    const key = groupBy.map((field) => String(rollup[field] ?? '')).join('\u0000');
    const group = groups.get(key);
    if (group) group.rollups.push(rollup);
    else groups.set(key, { rollups: [rollup], first: rollup });
  }
  const rows = [...groups.values()].map(({ rollups: members, first }): MetricsRow => {
    const sum = (field: keyof DailyRollup) =>
      members.reduce((total, member) => total + Number(member[field]), 0);
    const histogram: LatencyHistogram = {};
    for (const member of members) mergeHistograms(histogram, member.latencyHistogram);
    const requests = sum('requests');
    const measured = Object.values(histogram).reduce((total, count) => total + count, 0);
    const scenarios = sum('scenarios');
    const throughputMs = sum('throughputMs');
    return {
      ...(groupBy.includes('model') ? { model: first.model } : {}),
      ...(groupBy.includes('task') ? { task: first.task } : {}),
      ...(groupBy.includes('day') ? { day: first.day } : {}),
      ...(groupBy.includes('source') ? { source: first.source } : {}),
      requests,
      errors: sum('errors'),
      errorRate: ratio(sum('errors'), requests),
      averageLatencyMs: ratio(sum('latencyMsSum'), measured),
      p50LatencyMs: histogramPercentile(histogram, 0.5),
      p95LatencyMs: histogramPercentile(histogram, 0.95),
      averageFirstTokenMs: ratio(sum('firstTokenMsSum'), sum('firstTokenCount')),
      tokensPerSecond: throughputMs > 0 ? sum('throughputTokens') / (throughputMs / 1000) : null,
      promptTokens: sum('promptTokens'),
      completionTokens: sum('completionTokens'),
      costUsd: sum('costUsd'),
      scenarios,
      passRate: ratio(sum('passed'), scenarios),
      safetyPassRate: ratio(sum('safetyPassed'), sum('safetyTotal')),
      quality: ratio(sum('qualitySum'), scenarios),
    };
  });
  return rows.sort(
    (left, right) =>
      groupBy
        .map((field) => String(left[field] ?? '').localeCompare(String(right[field] ?? '')))
        .find((order) => order !== 0) ?? 0,
  );
}
