import { describe, expect, it } from 'vitest';
import { pairedPermutationTest } from './paired-permutation-test.js';

describe('pairedPermutationTest', () => {
  it('gives p = 1 when nothing differs', () => {
    expect(pairedPermutationTest([1, 0.5, 0], [1, 0.5, 0])).toEqual({
      pairs: 3,
      differing: 0,
      meanDifference: 0,
      pValue: 1,
      exact: true,
      smallestPossiblePValue: 1,
    });
  });

  it('enumerates small samples exactly: 5 pairs all better give p = 2/32', () => {
    const result = pairedPermutationTest([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]);
    expect(result).toMatchObject({ pairs: 5, differing: 5, meanDifference: 1, exact: true });
    expect(result.pValue).toBeCloseTo(2 / 32, 12);
    expect(result.smallestPossiblePValue).toBeCloseTo(2 / 32, 12);
  });

  it('matches a hand-computed case with mixed signs', () => {
    // Differences 1, 1, -1: sums over the 8 sign assignments are ±3 (2) and ±1 (6); |sum| >= 1 always.
    expect(pairedPermutationTest([0, 0, 1], [1, 1, 0]).pValue).toBe(1);
    // Differences 2, 1: sums ±3, ±1; |sum| >= 3 in 2 of 4.
    expect(pairedPermutationTest([0, 0], [2, 1]).pValue).toBe(0.5);
  });

  it('uses seeded sampling above 16 differing pairs, repeatably, and finds a clear difference', () => {
    const left = Array.from({ length: 30 }, (_value, index) => (index % 3 === 0 ? 0.5 : 0.25));
    const right = left.map((value) => value + 0.5);
    const first = pairedPermutationTest(left, right);
    expect(first.exact).toBe(false);
    expect(first.pValue).toBeLessThan(0.001);
    expect(pairedPermutationTest(left, right)).toEqual(first);
  });

  it('refuses samples of different lengths', () => {
    expect(() => pairedPermutationTest([1], [1, 2])).toThrow(RangeError);
  });
});
