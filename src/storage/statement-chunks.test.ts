import { describe, expect, it } from 'vitest';
import { statementChunks } from './statement-chunks.js';

const numbers = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('statementChunks', () => {
  it('keeps every row once, in order, in chunks whose lengths are powers of two', () => {
    for (let count = 0; count <= 300; count += 1) {
      const chunks = statementChunks(numbers(count), 64);
      expect(chunks.flat()).toEqual(numbers(count));
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(64);
        expect(Number.isInteger(Math.log2(chunk.length))).toBe(true);
      }
    }
  });

  it('uses at most seven shapes for batches of any size, and few statements per batch', () => {
    const shapes = new Set<number>();
    for (let count = 1; count <= 500; count += 1) {
      const chunks = statementChunks(numbers(count), 64);
      for (const chunk of chunks) shapes.add(chunk.length);
      expect(chunks.length).toBeLessThanOrEqual(Math.floor(count / 64) + 6);
    }
    expect([...shapes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(statementChunks(numbers(125), 64).map((chunk) => chunk.length)).toEqual([
      64, 32, 16, 8, 4, 1,
    ]);
  });

  it('refuses a largest chunk that is not a power of two', () => {
    expect(() => statementChunks(numbers(3), 100)).toThrow('100 is not a power of two');
  });
});
