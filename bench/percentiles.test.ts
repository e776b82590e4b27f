import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './percentiles.js';

describe('percentile', () => {
  it('interpolates between the closest ranks', () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 0)).toBe(10);
    expect(percentile(sorted, 50)).toBe(25);
    expect(percentile(sorted, 100)).toBe(40);
    expect(percentile(sorted, 90)).toBeCloseTo(37);
  });

  it('gives the one sample for any percentile, and NaN for none', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('rejects percentiles outside 0..100', () => {
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports the usual figures', () => {
    const samples = [5, 1, 4, 2, 3];
    const summary = summarize(samples);
    expect(summary).toEqual({ count: 5, mean: 3, min: 1, p50: 3, p90: 4.6, p99: 4.96, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('puts p99 of 1..1000 near the top', () => {
    const samples = Float64Array.from({ length: 1000 }, (_, index) => index + 1);
    expect(summarize(samples).p99).toBeCloseTo(990.01);
  });

  it('reports NaN figures for no samples', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.mean).toBeNaN();
    expect(summary.p50).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle of an odd or the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores NaN rounds', () => {
    expect(median([Number.NaN, 1, 3])).toBe(2);
    expect(median([])).toBeNaN();
  });
});
