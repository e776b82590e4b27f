import type { Candidate } from './select-models.js';

function byName(a: Candidate, b: Candidate): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A candidate list in name order, and where each name stands in it. */
export interface NameOrder {
  sorted: readonly Candidate[];
  /** Position of each name; undefined when a name repeats (then figures are looked up by name). */
  positions: Map<string, number> | undefined;
}

/**
 * Each candidate list in name order, sorted once: a catalog is decided on many times
 * (every task, every set of preferences) between refreshes, and comparing 500 names on
 * every decision cost more than the rest of it. Lists are read-only by contract.
 */
const nameOrders = new WeakMap<readonly Candidate[], NameOrder>();

/** The candidates in name order (sorted once per list), with each name's position. */
export function nameOrderOf(candidates: readonly Candidate[]): NameOrder {
  let order = nameOrders.get(candidates);
  if (order === undefined) {
    const sorted = [...candidates].sort(byName);
    const positions = new Map<string, number>();
    sorted.forEach((candidate, position) => {
      positions.set(candidate.name, position);
    });
    order = { sorted, positions: positions.size === sorted.length ? positions : undefined };
    nameOrders.set(candidates, order);
  }
  return order;
}

/**
 * A decision's figures (scores, live) by candidate position, written into `placed` (a
 * scratch array the caller reuses and clears). Walking the figures and placing each costs
 * one lookup per figure; looking each candidate up in the figures cost two per candidate,
 * and those lookups were the largest part of a decision.
 */
export function placeByPosition<T>(
  figures: ReadonlyMap<string, T>,
  order: NameOrder,
  placed: Array<T | undefined>,
): Array<T | undefined> {
  const positions = order.positions as Map<string, number>;
  figures.forEach((value, name) => {
    const position = positions.get(name);
    if (position !== undefined) placed[position] = value;
  });
  return placed;
}
