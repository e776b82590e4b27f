import { setFlagsFromString } from 'node:v8';

/**
 * How much the old generation may grow past what the last full collection kept, in
 * percent. V8's default lets a busy server's heap grow to several times its live set before
 * it collects: the gateway keeps about 35 MB live, yet under a saturation benchmark its heap
 * grew past 120 MB of mostly garbage (a heap snapshot after the load found 36 MB live). At
 * 50% its peak RSS under the benchmark's load went from ~265 MB to ~185 MB, with throughput
 * and p99 latency within the run's noise (2 cores, `npm run bench -- --gateway-node-args`).
 */
export const heapGrowingPercent = 50;

/**
 * Tunes the V8 heap of a long-running `serve` process. Set at run time, so it applies
 * however the process was started (`npm start`, `tta-models serve`, an embedding app's own
 * choice is left alone: only the CLI calls this). V8 reads the growing factor at every
 * full collection; a V8 without the flag prints a warning and carries on.
 */
export function tuneHeapForServing(): void {
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}
