import { describe, expect, it } from 'vitest';
import { floorPerBucket, type MemorySample, memoryTrend } from './memory-trend.js';

const megabyte = 1_048_576;

/** A sample every 5 s for 4 minutes from `bytesAt`. */
function series(bytesAt: (seconds: number) => number): MemorySample[] {
  return Array.from({ length: 48 }, (_, index) => ({
    atSeconds: index * 5,
    bytes: bytesAt(index * 5),
  }));
}

describe('memoryTrend', () => {
  it('finds a flat, noisy series flat', () => {
    const trend = memoryTrend(series((seconds) => (100 + ((seconds * 7) % 11) - 5) * megabyte));
    expect(trend.halvesRatio).toBeGreaterThan(0.97);
    expect(trend.halvesRatio).toBeLessThan(1.03);
    expect(Math.abs(trend.growthOverSpan)).toBeLessThan(0.05);
  });

  it('finds a leak of 10 MB a minute', () => {
    const trend = memoryTrend(series((seconds) => (100 + (seconds / 60) * 10) * megabyte));
    expect(trend.slopeBytesPerMinute / megabyte).toBeCloseTo(10, 6);
    // 40 MB over the 235 s span, against a first half averaging ~110 MB.
    expect(trend.growthOverSpan).toBeGreaterThan(0.3);
    expect(trend.halvesRatio).toBeGreaterThan(1.15);
  });

  it('needs two samples', () => {
    expect(() => memoryTrend([{ atSeconds: 0, bytes: 1 }])).toThrow(/two samples/);
  });
});

describe('floorPerBucket', () => {
  it('keeps the smallest sample of each bucket, so a sawing heap reads as its floor', () => {
    const sawing = series((seconds) => (50 + (seconds % 30)) * megabyte);
    const floors = floorPerBucket(sawing, 30);
    expect(floors).toHaveLength(8);
    expect(floors.every((sample) => sample.bytes === 50 * megabyte)).toBe(true);
    expect(memoryTrend(floors).slopeBytesPerMinute).toBe(0);
  });
});
