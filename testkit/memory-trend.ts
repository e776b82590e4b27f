/**
 * Is a process's memory flat? Samples taken at a steady load, reduced to the two figures a
 * soak judges: the level of the second half against the first, and the slope of a
 * least-squares line. A heap saws up and down between collections, so heap samples are
 * first reduced to their floor per bucket (the smallest sample in each), which is about
 * what survived the last collection.
 */

/** One memory sample. */
export interface MemorySample {
  /** Seconds since the soak started. */
  atSeconds: number;
  /** Bytes. */
  bytes: number;
}

/** The judgement of one series. */
export interface MemoryTrend {
  /** Samples judged. */
  samples: number;
  /** Mean of the first half, bytes. */
  firstHalfMean: number;
  /** Mean of the second half, bytes. */
  secondHalfMean: number;
  /** `secondHalfMean / firstHalfMean`. */
  halvesRatio: number;
  /** Least-squares slope, bytes per minute. */
  slopeBytesPerMinute: number;
  /** What the slope adds over the judged span, as a share of the first half's mean. */
  growthOverSpan: number;
  /** Smallest and largest sample, bytes. */
  min: number;
  max: number;
}

/** The floor of each `bucketSeconds`-long bucket of samples: its smallest sample. */
export function floorPerBucket(
  samples: readonly MemorySample[],
  bucketSeconds: number,
): MemorySample[] {
  const buckets = new Map<number, MemorySample>();
  for (const sample of samples) {
    const bucket = Math.floor(sample.atSeconds / bucketSeconds);
    const lowest = buckets.get(bucket);
    if (lowest === undefined || sample.bytes < lowest.bytes) buckets.set(bucket, sample);
  }
  return [...buckets.values()].sort((left, right) => left.atSeconds - right.atSeconds);
}

/** Judges a series (at least two samples, in time order). */
export function memoryTrend(samples: readonly MemorySample[]): MemoryTrend {
  if (samples.length < 2) throw new RangeError('a trend needs at least two samples');
  const half = Math.floor(samples.length / 2);
  const mean = (values: readonly MemorySample[]) =>
    values.reduce((sum, sample) => sum + sample.bytes, 0) / values.length;
  const firstHalfMean = mean(samples.slice(0, half));
  const secondHalfMean = mean(samples.slice(samples.length - half));
  const meanTime = samples.reduce((sum, sample) => sum + sample.atSeconds, 0) / samples.length;
  const meanBytes = mean(samples);
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.atSeconds - meanTime) * (sample.bytes - meanBytes);
    variance += (sample.atSeconds - meanTime) ** 2;
  }
  const slopePerSecond = variance === 0 ? 0 : covariance / variance;
  const span = (samples.at(-1) as MemorySample).atSeconds - (samples[0] as MemorySample).atSeconds;
  const values = samples.map((sample) => sample.bytes);
  return {
    samples: samples.length,
    firstHalfMean,
    secondHalfMean,
    halvesRatio: secondHalfMean / firstHalfMean,
    slopeBytesPerMinute: slopePerSecond * 60,
    growthOverSpan: (slopePerSecond * span) / firstHalfMean,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** One line describing a trend, in MB. */
export function describeTrend(name: string, trend: MemoryTrend): string {
  const megabytes = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  return (
    `${name}: ${trend.samples} samples, ${megabytes(trend.min)}–${megabytes(trend.max)} MB, ` +
    `halves ${megabytes(trend.firstHalfMean)} → ${megabytes(trend.secondHalfMean)} MB ` +
    `(×${trend.halvesRatio.toFixed(3)}), slope ${megabytes(trend.slopeBytesPerMinute)} MB/min ` +
    `(${(trend.growthOverSpan * 100).toFixed(1)}% over the span)`
  );
}
