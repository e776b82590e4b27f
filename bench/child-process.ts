/**
 * The benchmark's child processes: the helpers live in the testkit, shared with the load
 * suite (src/load); this module keeps the benchmark's imports where they were.
 */
export * from '../testkit/child-process.js';
