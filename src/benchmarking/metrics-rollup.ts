/**
 * Daily rollups: live requests and benchmark results folded into one row per day
 * (UTC), source, model and task. Pure functions; the caller stores the rows.
 */
import type {
  BenchResultRecord,
  DailyRollup,
  MetricsSource,
  MonitoredRequest,
} from '../storage/index.js';
import { addLatency } from './latency-histogram.js';

/** The UTC day of an epoch-millisecond time, `YYYY-MM-DD`. */
export function dayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Epoch milliseconds of the start of a UTC day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** True for a request that failed (an error status or an error code). */
export function isFailed(request: Pick<MonitoredRequest, 'status' | 'errorCode'>): boolean {
  return request.status >= 400 || request.errorCode !== null;
}

function emptyRollup(
  day: string,
  source: MetricsSource,
  model: string,
  task: string | null,
): DailyRollup {
  return {
    day,
    source,
    model,
    task,
    requests: 0,
    errors: 0,
    latencyMsSum: 0,
    latencyHistogram: {},
    firstTokenMsSum: 0,
    firstTokenCount: 0,
    promptTokens: 0,
    completionTokens: 0,
    throughputTokens: 0,
    throughputMs: 0,
    costUsd: 0,
    scenarios: 0,
    passed: 0,
    safetyTotal: 0,
    safetyPassed: 0,
    qualitySum: 0,
  };
}

/** A map from group key to rollup, creating rollups on first use. */
function rollupGroups(source: MetricsSource) {
  const groups = new Map<string, DailyRollup>();
  return {
    get(day: string, model: string, task: string | null): DailyRollup {
      const key = `${day}\u0000${model}\u0000${task ?? ''}`;
      let rollup = groups.get(key);
      if (!rollup) {
        rollup = emptyRollup(day, source, model, task);
        groups.set(key, rollup);
      }
      return rollup;
    },
    all: () => [...groups.values()],
  };
}

/** Measurements of one call, as both sources have them. */
interface Measured {
  latencyMs: number | null;
  firstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
}

function addMeasurements(rollup: DailyRollup, measured: Measured, failed: boolean): void {
  rollup.requests += 1;
  if (failed) rollup.errors += 1;
  if (measured.latencyMs !== null) {
    rollup.latencyMsSum += measured.latencyMs;
    addLatency(rollup.latencyHistogram, measured.latencyMs);
  }
  if (measured.firstTokenMs !== null) {
    rollup.firstTokenMsSum += measured.firstTokenMs;
    rollup.firstTokenCount += 1;
  }
  rollup.promptTokens += measured.promptTokens ?? 0;
  rollup.completionTokens += measured.completionTokens ?? 0;
  if (
    !failed &&
    measured.completionTokens !== null &&
    measured.latencyMs !== null &&
    measured.latencyMs > 0
  ) {
    rollup.throughputTokens += measured.completionTokens;
    rollup.throughputMs += measured.latencyMs;
  }
  rollup.costUsd += measured.costUsd ?? 0;
}

/** Live requests folded into daily rollups as they come (a page at a time, say). */
export function createRequestRollup() {
  const groups = rollupGroups('live');
  return {
    /** Folds more requests in. */
    add(requests: Iterable<MonitoredRequest>): void {
      for (const request of requests) {
        addMeasurements(
          groups.get(dayOf(request.createdAt), request.model, request.task),
          request,
          isFailed(request),
        );
      }
    },
    /** The rollups of every request added so far. */
    rollups: (): DailyRollup[] => groups.all(),
  };
}

/** Live requests folded into daily rollups. */
export function rollupRequests(requests: readonly MonitoredRequest[]): DailyRollup[] {
  const rollup = createRequestRollup();
  rollup.add(requests);
  return rollup.rollups();
}

/** Benchmark results folded into daily rollups. */
export function rollupResults(results: readonly BenchResultRecord[]): DailyRollup[] {
  const groups = rollupGroups('benchmark');
  for (const result of results) {
    const rollup = groups.get(dayOf(result.createdAt), result.model, result.task);
    addMeasurements(rollup, result, result.status === 'error');
    rollup.scenarios += 1;
    if (result.passed) rollup.passed += 1;
    if (result.safety) {
      rollup.safetyTotal += 1;
      if (result.safetyPassed === true) rollup.safetyPassed += 1;
    }
    rollup.qualitySum += result.quality;
  }
  return groups.all();
}

/** Every UTC day from the day of `from` to the day of `to`, inclusive. */
export function daysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  for (let start = dayStart(dayOf(from)); start <= to; start += 86_400_000) days.push(dayOf(start));
  return days;
}
