/**
 * Runs the phases of the benchmark over several rounds, alternating the targets (each round
 * starts with a different one) so that a noisy neighbour on a shared machine smears over
 * all of them rather than landing on one.
 */
import type { BenchOptions } from './bench-options.js';
import type { LoadGenerator } from './load-client.js';
import type { ChunkTimingResult, PacedResult, SaturationResult } from './load-jobs.js';
import {
  type FakeUpstreamProcess,
  jobTarget,
  type RunningTarget,
  type TargetName,
} from './targets.js';

/** Every result of one target, one entry per round. */
export interface TargetResults {
  paced: PacedResult[];
  saturation: SaturationResult[];
  stream: PacedResult[];
  chunkTiming: ChunkTimingResult[];
}

/** Pause per streamed event in the chunk-timing check, in ms. */
export const chunkDelayMs = 10;

/** Streamed content chunks of every reply. */
export const replyChunks = 8;

/**
 * Events the fake streams per reply (role, content chunks, finish, `[DONE]`), so the time
 * from first to last at the client should be `(events - 1) × chunkDelayMs`.
 */
export const streamedEvents = replyChunks + 3;

/** The targets in the order of a round: rotated by one each round. */
function rotate(targets: readonly RunningTarget[], round: number): RunningTarget[] {
  const shift = round % targets.length;
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}

/** Runs every round and returns the results per target. */
export async function runRounds(
  options: BenchOptions,
  targets: readonly RunningTarget[],
  fake: FakeUpstreamProcess,
  load: LoadGenerator,
  log: (line: string) => void,
): Promise<Map<TargetName, TargetResults>> {
  const results = new Map<TargetName, TargetResults>();
  for (const target of targets) {
    results.set(target.name, { paced: [], saturation: [], stream: [], chunkTiming: [] });
  }
  const of = (target: RunningTarget): TargetResults => results.get(target.name) as TargetResults;
  const timing = { warmupSeconds: options.warmupSeconds, seconds: options.seconds };
  for (let round = 0; round < options.rounds; round += 1) {
    const order = rotate(targets, round);
    const step = (what: string, target: RunningTarget): void =>
      log(`round ${round + 1}/${options.rounds}: ${what} → ${target.name}`);
    for (const target of order) {
      step(`paced ${options.rate} req/s`, target);
      const job = { target: jobTarget(target), rate: options.rate, stream: false };
      of(target).paced.push(await load.run({ ...job, ...timing, kind: 'paced' }));
    }
    for (const target of order) {
      step(`saturation, ${options.connections} connections`, target);
      const job = { target: jobTarget(target), connections: options.connections };
      of(target).saturation.push(await load.run({ ...job, ...timing, kind: 'saturation' }));
    }
    for (const target of order) {
      step(`streamed, paced ${options.rate} req/s`, target);
      const job = { target: jobTarget(target), rate: options.rate, stream: true };
      of(target).stream.push(await load.run({ ...job, ...timing, kind: 'paced' }));
    }
    await fake.setReply({ chunkDelayMs });
    try {
      for (const target of order) {
        step(`chunk timing, ${chunkDelayMs} ms between upstream events`, target);
        const job = {
          kind: 'chunk-timing',
          target: jobTarget(target),
          requests: options.chunkTimingRequests,
          concurrency: 4,
        } as const;
        of(target).chunkTiming.push(await load.run(job));
      }
    } finally {
      await fake.setReply({ chunkDelayMs: 0 });
    }
  }
  return results;
}
