/**
 * Order statistics for benchmark samples: percentiles by linear interpolation between
 * closest ranks (the definition numpy and most load tools use), means and medians.
 */

/** A distribution of samples reduced to the figures a benchmark reports. */
export interface Summary {
  /** Number of samples. */
  count: number;
  /** Arithmetic mean (NaN without samples). */
  mean: number;
  /** Smallest sample (NaN without samples). */
  min: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest sample (NaN without samples). */
  max: number;
}

/**
 * The `p`-th percentile (0 to 100) of samples sorted in ascending order, interpolating
 * linearly between the two closest ranks. NaN when there are no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const below = sorted[lower] as number;
  const above = sorted[upper] as number;
  return below + (above - below) * (rank - lower);
}

/** Summarises samples in any order; the input is left untouched. */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  const count = sorted.length;
  return {
    count,
    mean: count === 0 ? Number.NaN : total / count,
    min: count === 0 ? Number.NaN : (sorted[0] as number),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: count === 0 ? Number.NaN : (sorted[count - 1] as number),
  };
}

/** The median of a few values (e.g. one figure over several rounds), ignoring NaN. */
export function median(values: readonly number[]): number {
  const finite = values.filter((value) => !Number.isNaN(value));
  return percentile(Float64Array.from(finite).sort(), 50);
}
