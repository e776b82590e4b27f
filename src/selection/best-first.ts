let narrowKeys = new Int32Array(1_024);
let wideKeys = new Float64Array(0);

/**
 * The ranked models best first, ties in the order given (name order). Each becomes one
 * integer — its score in units of 0.0001 (scores are rounded to that), negated, times
 * the count, plus its position — so a typed array's native numeric sort does the work:
 * sorting 500 objects with a comparator function cost more than the rest of a decision.
 * The keys fit 32 bits (the fastest sort) unless scores or the count are huge.
 */
export function bestFirst<T extends { readonly score: number }>(ranked: T[]): T[] {
  const count = ranked.length;
  // Buffers are reused (decisions run one at a time): a fresh typed array per decision
  // lives outside the heap and made the garbage collector the largest cost.
  if (narrowKeys.length < count)
    narrowKeys = new Int32Array(Math.max(count, narrowKeys.length * 2));
  const narrowLimit = Math.floor(0x7fff_ffff / (count + 1)) - 1;
  let keys: Int32Array | Float64Array = narrowKeys.subarray(0, count);
  for (let position = 0; position < count; position++) {
    const units = Math.round((ranked[position] as T).score * 10_000);
    // Not a finite score (never expected): fall back to comparing objects.
    if (!Number.isFinite(units)) return ranked.sort((a, b) => b.score - a.score);
    if (Math.abs(units) > narrowLimit && keys instanceof Int32Array) {
      if (wideKeys.length < count) wideKeys = new Float64Array(count);
      const wide = wideKeys.subarray(0, count);
      wide.set(keys.subarray(0, position));
      keys = wide;
    }
    keys[position] = -units * count + position;
  }
  keys.sort();
  const sorted: T[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const key = keys[index] as number;
    sorted[index] = ranked[key - Math.floor(key / count) * count] as T;
  }
  return sorted;
}
