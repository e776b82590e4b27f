import { describe, expect, it } from 'vitest';
import { busyStretches } from './cpu-profile-summary.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
const nodes = [
  { id: 1, callFrame: frame('(idle)') },
  { id: 2, callFrame: frame('send', 'file:///app/node_modules/undici/lib/client.js') },
  { id: 3, callFrame: frame('(garbage collector)') },
];

/** A profile from runs of `[node, milliseconds]`, one sample per millisecond. */
function profileOf(runs: Array<[number, number]>) {
  const samples = runs.flatMap(([node, ms]) => Array<number>(ms).fill(node));
  return { nodes, samples, timeDeltas: samples.map(() => 1000) };
}

describe('busyStretches', () => {
  it('finds the stretches busy without a break, and what filled them', () => {
    const stretches = busyStretches(
      profileOf([
        [1, 5],
        [2, 2], // too short to delay anyone much
        [1, 5],
        [2, 4],
        [3, 2], // one stretch of 6 ms: undici, then GC
        [1, 5],
        [2, 150], // start-up sized: left out
        [1, 5],
      ]),
    );
    expect(stretches).toMatchObject({ count: 1, totalMs: 6, longestMs: 6, longer: 1 });
    expect(stretches.packages.map(({ name, ms }) => [name, ms])).toEqual([
      ['undici', 4],
      ['(garbage collector)', 2],
    ]);
  });
});
