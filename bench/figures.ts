/**
 * Reduces each target's per-round results to one figure each: the median over rounds.
 */
import { median } from './percentiles.js';
import type { TargetResults } from './rounds.js';

/** A target's figures, medians over rounds; times in ms, NaN where there is no figure. */
export interface TargetFigures {
  /** Paced non-streamed latency from intended send time. */
  pacedP50: number;
  pacedP99: number;
  pacedMean: number;
  /** Requests per second at saturation. */
  saturationRps: number;
  /** Paced streamed: intended send time to the first `data:` chunk. */
  firstTokenP50: number;
  firstTokenP99: number;
  /** Chunk timing: first to last `data:` chunk of a slowly streamed answer. */
  chunkSpreadMs: number;
  /** Chunk timing: `data:` chunks that arrived separately per answer. */
  dataChunks: number;
  /** How late the load generator sent paced requests (p50), part of every paced latency. */
  sendLagP50: number;
  /** Failed exchanges, summed over every phase and round. */
  errors: number;
  /** Requests scheduled, sent or completed in measured windows, summed. */
  requests: number;
  /** Peak resident set size (VmHWM) of the target's process at the end, bytes. */
  peakRssBytes: number;
  /** Its peak resident set size after warm-up and the first paced phase (before saturation). */
  pacedPeakRssBytes: number;
}

/** The figures of one target. */
export function figuresOf(results: TargetResults, peakRssBytes: number | undefined): TargetFigures {
  const over = <T>(items: readonly T[], pick: (item: T) => number): number =>
    median(items.map(pick));
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const { paced, saturation, stream, chunkTiming } = results;
  return {
    pacedP50: over(paced, (result) => result.latency.p50),
    pacedP99: over(paced, (result) => result.latency.p99),
    pacedMean: over(paced, (result) => result.latency.mean),
    saturationRps: over(saturation, (result) => result.requestsPerSecond),
    firstTokenP50: over(stream, (result) => result.firstData?.p50 ?? Number.NaN),
    firstTokenP99: over(stream, (result) => result.firstData?.p99 ?? Number.NaN),
    chunkSpreadMs: over(chunkTiming, (result) => result.spreadMs.p50),
    dataChunks: over(chunkTiming, (result) => result.dataChunks.p50),
    sendLagP50: over(paced, (result) => result.sendLag.p50),
    errors: sum(
      [...paced, ...saturation, ...stream, ...chunkTiming].map((result) => result.errors),
    ),
    requests: sum([
      ...[...paced, ...stream].map((result) => result.scheduled),
      ...saturation.map((result) => result.completed),
      ...chunkTiming.map((result) => result.spreadMs.count),
    ]),
    peakRssBytes: peakRssBytes ?? Number.NaN,
    pacedPeakRssBytes: results.pacedPeakRssBytes ?? Number.NaN,
  };
}
