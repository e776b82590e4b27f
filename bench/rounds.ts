/**
 * Runs the phases of the benchmark over several rounds, alternating the targets (each round
 * starts with a different one) so that a noisy neighbour on a shared machine smears over
 * all of them rather than landing on one.
 */
import type { BenchOptions } from './bench-options.js';
import { peakRssBytes } from './child-process.js';
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
  /** Peak RSS (VmHWM) of the target's process after the first round's paced phase, bytes. */
  pacedPeakRssBytes: number | undefined;
}

/** Pause per streamed event in the chunk-timing check, in ms. */
export const chunkDelayMs = 10;

/** Streamed content chunks of every reply. */
export const replyChunks = 8;

/**
 * Events the fake streams per reply (role, content chunks, finish, usage, `[DONE]`), so the
 * time from first to last at the client should be `(events - 1) × chunkDelayMs`.
 */
export const streamedEvents = replyChunks + 4;

/** The targets in the order of a round: rotated by one each round. */
export function rotate<T>(targets: readonly T[], round: number): T[] {
  const shift = round % targets.length;
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}

/**
 * One discarded pass over every target before the first round, so that whichever target
 * comes first does not also pay for warming up the fake upstream and the load generator.
 * Paced only: saturation would raise every process's peak memory before it is first read.
 */
async function warmUp(
  options: BenchOptions,
  targets: readonly RunningTarget[],
  load: LoadGenerator,
  log: (line: string) => void,
): Promise<void> {
  const timing = { warmupSeconds: 0, seconds: options.warmupSeconds };
  for (const target of targets) {
    log(`warm-up → ${target.name}`);
    const paced = { target: jobTarget(target), rate: options.rate, ...timing };
    await load.run({ ...paced, kind: 'paced', stream: false });
    await load.run({ ...paced, kind: 'paced', stream: true });
  }
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
    const empty = { paced: [], saturation: [], stream: [], chunkTiming: [] };
    results.set(target.name, { ...empty, pacedPeakRssBytes: undefined });
  }
  const of = (target: RunningTarget): TargetResults => results.get(target.name) as TargetResults;
  const timing = { warmupSeconds: options.warmupSeconds, seconds: options.seconds };
  await warmUp(options, targets, load, log);
  for (let round = 0; round < options.rounds; round += 1) {
    const order = rotate(targets, round);
    const step = (what: string, target: RunningTarget): void =>
      log(`round ${round + 1}/${options.rounds}: ${what} → ${target.name}`);
    for (const target of order) {
      step(`paced ${options.rate} req/s`, target);
      const job = { target: jobTarget(target), rate: options.rate, stream: false };
      of(target).paced.push(await load.run({ ...job, ...timing, kind: 'paced' }));
    }
    if (round === 0) {
      for (const target of targets) of(target).pacedPeakRssBytes = peakRssBytes(target.handle.pid);
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
