/**
 * One built gateway under load, alone with the fake upstream and the load generator: the
 * setup of the profiling and memory tools (`profile-gateway.ts`, `memory-phases.ts`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { benchClientKey, catalogModelIds } from './bench-scenario.js';
import { stopChild } from './child-process.js';
import { ensureGatewayBuilt, type GatewayProcess } from './gateway-process.js';
import { type LoadGenerator, startLoadGenerator } from './load-client.js';
import { replyChunks } from './rounds.js';
import {
  type RunningTarget,
  startFakeUpstreamProcess,
  startGatewayTargets,
  stopAll,
} from './targets.js';

/** The running processes, and how to stop them. */
export interface OneGateway {
  load: LoadGenerator;
  /** Every feature on, and the same process asked for a plain model name. */
  gateway: RunningTarget;
  plain: RunningTarget;
  process: GatewayProcess;
  stop(): Promise<void>;
}

/** Builds the gateway if needed and starts it in `scratch`/home with a catalog of `models`. */
export async function startOneGateway(options: {
  scratch: string;
  models: number;
  nodeArgs: string[];
  log: (line: string) => void;
}): Promise<OneGateway> {
  const home = path.join(options.scratch, 'home');
  mkdirSync(home);
  const warning = await ensureGatewayBuilt(options.log);
  if (warning !== undefined) options.log(`warning: ${warning}`);
  const fake = await startFakeUpstreamProcess({ chunks: replyChunks, chunkDelayMs: 0 });
  const load = await startLoadGenerator();
  const started = await startGatewayTargets(home, fake.baseUrl, {
    clientKeys: [benchClientKey],
    models: catalogModelIds(options.models),
    nodeArgs: options.nodeArgs,
  });
  return {
    load,
    ...started,
    async stop() {
      await stopChild(started.process.handle, 30_000);
      await stopAll([fake.handle, load.handle]);
    },
  };
}
