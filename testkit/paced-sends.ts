/**
 * The steady arrivals of the load suite and the benchmark: request `i` is intended at
 * `start + i × intervalMs`. A request sent late keeps its intended time, and the caller
 * times it from there, so a stalled target cannot hide its stall by slowing the arrivals
 * (no coordinated omission).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `send(index, intended)` for `total` requests on the `now` clock (milliseconds),
 * and resolves with the start time once every request has been sent.
 */
export async function sendPaced(
  total: number,
  intervalMs: number,
  now: () => number,
  send: (index: number, intended: number) => void,
): Promise<number> {
  const start = now() + 1;
  let next = 0;
  while (next < total) {
    const current = now();
    while (next < total && start + next * intervalMs <= current) {
      send(next, start + next * intervalMs);
      next += 1;
    }
    const wait = start + next * intervalMs - now();
    // Timers have millisecond granularity; the lateness shows as send lag.
    if (next < total && wait > 0) await sleep(Math.max(1, Math.round(wait)));
  }
  return start;
}
