import { describe, expect, it } from 'vitest';
import { nameOrderOf, placeByPosition } from './name-order.js';

describe('nameOrderOf', () => {
  it('sorts a list by name once and says where each name stands', () => {
    const candidates = [
      { name: 'b/x', local: false },
      { name: 'a/y', local: true },
      { name: 'a/x', local: false },
    ];
    const order = nameOrderOf(candidates);
    expect(order.sorted.map((candidate) => candidate.name)).toEqual(['a/x', 'a/y', 'b/x']);
    expect(nameOrderOf(candidates)).toBe(order);
    expect(candidates.map((candidate) => candidate.name)).toEqual(['b/x', 'a/y', 'a/x']);
    expect(
      placeByPosition(
        new Map([
          ['b/x', 1],
          ['gone/z', 2],
          ['a/x', 3],
        ]),
        order,
        [],
      ),
    ).toEqual([3, undefined, 1]);
  });

  it('gives no positions when a name repeats', () => {
    const order = nameOrderOf([
      { name: 'a/x', local: false },
      { name: 'a/x', local: true },
    ]);
    expect(order.sorted).toHaveLength(2);
    expect(order.positions).toBeUndefined();
  });
});
