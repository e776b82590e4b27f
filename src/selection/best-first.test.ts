import { describe, expect, it } from 'vitest';
import { bestFirst } from './best-first.js';

const scored = (...scores: number[]) => scores.map((score, index) => ({ score, index }));
const order = (items: Array<{ index: number }>) => items.map((item) => item.index);

describe('bestFirst', () => {
  it('puts the highest score first and keeps ties in the order given', () => {
    expect(order(bestFirst(scored(0.5, 0.9, 0.5, -0.25, 1.3, 0.9)))).toEqual([4, 1, 5, 0, 2, 3]);
  });

  it('orders scores too large for 32-bit keys', () => {
    expect(order(bestFirst(scored(2, 1e9, -1e9, 3, 1e9)))).toEqual([1, 4, 3, 0, 2]);
  });

  it('orders a list longer than its reused buffer, and an empty one', () => {
    const many = scored(...Array.from({ length: 3_000 }, (_, index) => (index % 7) / 10));
    const sorted = bestFirst(many);
    expect(sorted).toHaveLength(3_000);
    expect(sorted[0]).toEqual({ score: 0.6, index: 6 });
    expect(sorted.at(-1)).toEqual({ score: 0, index: 2_996 });
    expect(bestFirst([])).toEqual([]);
  });

  it('still orders when a score is not a finite number', () => {
    expect(order(bestFirst(scored(0.1, Number.POSITIVE_INFINITY, 0.2)))).toEqual([1, 2, 0]);
  });
});
