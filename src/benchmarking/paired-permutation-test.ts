/**
 * The paired permutation (sign-flip) test: are two models' per-scenario scores
 * different, or could the difference be chance? Under the null hypothesis each
 * scenario's difference is as likely positive as negative, so the p-value is the
 * share of sign assignments whose |mean| is at least the observed one. Exact (every
 * assignment enumerated) up to 16 non-zero differences; above that, 20,000 random
 * assignments from a fixed seed, so the same data always give the same p-value.
 * It assumes nothing about the distribution and is valid for small samples; it is
 * two-sided.
 */

/** What the test found. */
export interface PermutationTestResult {
  /** Pairs compared. */
  pairs: number;
  /** Pairs whose scores differ (the others say nothing about the direction). */
  differing: number;
  /** Mean of `right - left` over the pairs. */
  meanDifference: number;
  /** Two-sided p-value; 1 when no pair differs. */
  pValue: number;
  /** True when the test enumerated every assignment. */
  exact: boolean;
  /**
   * The smallest p-value these pairs could ever give (2 / 2^n for n differing pairs):
   * above the significance level, no difference can be significant.
   */
  smallestPossiblePValue: number;
}

/** Non-zero differences up to which every sign assignment is enumerated (2^16 = 65,536). */
const exactLimit = 16;
/** Random assignments above the exact limit. */
const samples = 20_000;

/** A small deterministic generator (mulberry32), so Monte Carlo p-values are repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Tests `right[i] - left[i]` against zero. The arrays must be the same length (one entry per scenario). */
export function pairedPermutationTest(
  left: readonly number[],
  right: readonly number[],
): PermutationTestResult {
  if (left.length !== right.length)
    throw new RangeError('paired samples must have the same length');
  const differences = left.map((value, index) => (right[index] ?? 0) - value);
  const pairs = differences.length;
  const meanDifference =
    pairs === 0 ? 0 : differences.reduce((sum, value) => sum + value, 0) / pairs;
  // A zero difference has the same value under either sign: it changes no statistic.
  const nonZero = differences.filter((value) => Math.abs(value) > 1e-12);
  const count = nonZero.length;
  if (count === 0)
    return {
      pairs,
      differing: 0,
      meanDifference,
      pValue: 1,
      exact: true,
      smallestPossiblePValue: 1,
    };
  const observed = Math.abs(nonZero.reduce((sum, value) => sum + value, 0));
  const tolerance = 1e-9;
  const smallestPossiblePValue = Math.min(1, 2 / 2 ** count);
  if (count <= exactLimit) {
    let extreme = 0;
    const assignments = 2 ** count;
    for (let mask = 0; mask < assignments; mask++) {
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const value = nonZero[index] ?? 0;
        sum += mask & (1 << index) ? -value : value;
      }
      if (Math.abs(sum) >= observed - tolerance) extreme += 1;
    }
    return {
      pairs,
      differing: count,
      meanDifference,
      pValue: extreme / assignments,
      exact: true,
      smallestPossiblePValue,
    };
  }
  const random = seededRandom(0x7a11e5);
  // The observed assignment counts as one of the samples, so p is never zero.
  let extreme = 1;
  for (let sample = 0; sample < samples; sample++) {
    let sum = 0;
    for (const value of nonZero) sum += random() < 0.5 ? -value : value;
    if (Math.abs(sum) >= observed - tolerance) extreme += 1;
  }
  return {
    pairs,
    differing: count,
    meanDifference,
    pValue: extreme / (samples + 1),
    exact: false,
    smallestPossiblePValue,
  };
}
