/**
 * The benchmark's side of the load-generator child: start it, hand it jobs, await figures.
 */
import { type ChildHandle, sendMessage, spawnTypeScript, waitForMessage } from './child-process.js';
import { repositoryRoot } from './floor-build.js';
import type { LoadJob, LoadReplyMessage, ResultOf } from './load-jobs.js';

/** A running load generator. */
export interface LoadGenerator {
  handle: ChildHandle;
  /** Runs one job (jobs run one at a time) and resolves with its figures. */
  run<Job extends LoadJob>(job: Job): Promise<ResultOf<Job>>;
}

/** Starts the load-generator child and waits until it is ready. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const handle = spawnTypeScript('load generator', `${repositoryRoot}/bench/load-generator.ts`);
  await waitForMessage(
    handle,
    (message) => ((message as LoadReplyMessage).type === 'ready' ? true : undefined),
    30_000,
  );
  let sequence = 0;
  return {
    handle,
    async run<Job extends LoadJob>(job: Job): Promise<ResultOf<Job>> {
      sequence += 1;
      const id = sequence;
      // Generous: a job is seconds long, but a stalled target must not hang the benchmark.
      const limitMs = 60_000 + 3_000 * ('seconds' in job ? job.seconds + job.warmupSeconds : 10);
      const answer = waitForMessage(
        handle,
        (message) => {
          const reply = message as LoadReplyMessage;
          return reply.type !== 'ready' && reply.id === id ? reply : undefined;
        },
        limitMs,
      );
      sendMessage(handle, { type: 'run', id, job });
      const reply = await answer;
      if (reply.type === 'failed') throw new Error(`load generator failed: ${reply.message}`);
      if (reply.result.kind !== job.kind)
        throw new Error(`load generator answered a ${reply.result.kind} job`);
      return reply.result as ResultOf<Job>;
    },
  };
}
