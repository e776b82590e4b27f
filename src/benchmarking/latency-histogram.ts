/**
 * Latency histograms with logarithmic buckets 10% wide, stored sparse as
 * `{bucket: count}`. Histograms of different days and models add up exactly, so
 * percentiles of any grouping of daily rollups are read from the merged histogram,
 * within 10% of the true value.
 */

/** Each bucket's upper bound is this factor times the previous one's. */
const growth = 1.1;

/** Sparse histogram: bucket index (as a string, for JSON) to count. */
export type LatencyHistogram = Record<string, number>;

/** The bucket of a latency: the smallest `i` with `latencyMs <= 1.1^i` (0 for 1 ms and under). */
export function bucketOf(latencyMs: number): number {
  if (!(latencyMs > 1)) return 0;
  return Math.ceil(Math.log(latencyMs) / Math.log(growth) - 1e-9);
}

/** The upper bound of a bucket, milliseconds. */
export function bucketUpperBound(bucket: number): number {
  return growth ** bucket;
}

/** Adds one latency to a histogram (in place) and returns it. */
export function addLatency(histogram: LatencyHistogram, latencyMs: number): LatencyHistogram {
  const key = String(bucketOf(latencyMs));
  histogram[key] = (histogram[key] ?? 0) + 1;
  return histogram;
}

/** Adds `other` into `histogram` (in place) and returns it. */
export function mergeHistograms(
  histogram: LatencyHistogram,
  other: LatencyHistogram,
): LatencyHistogram {
  for (const [key, count] of Object.entries(other)) histogram[key] = (histogram[key] ?? 0) + count;
  return histogram;
}

/**
 * Nearest-rank percentile (`fraction` 0–1) of a histogram: the upper bound of the
 * bucket holding that rank, rounded to a millisecond. Null for an empty histogram.
 */
export function histogramPercentile(histogram: LatencyHistogram, fraction: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((left, right) => left[0] - right[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= rank) return Math.round(bucketUpperBound(bucket));
  }
  return null;
}

/** Exact nearest-rank percentile of raw values; null when there are none. */
export function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}
