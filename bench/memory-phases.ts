/**
 * Where the gateway's memory goes under load, phase by phase:
 * `npx tsx bench/memory-phases.ts [--node-options="..."]`.
 *
 * Starts the fake upstream, the load generator and the built gateway (every feature on),
 * then runs paced, saturation and streamed phases in turn against one gateway process.
 * After each it prints resident memory split into anonymous and file-backed
 * (`/proc/<pid>/smaps_rollup`), the peak so far (VmHWM), and the JS heap as the gateway's
 * own `/metrics` reports it. Memory that grows phase after phase while the heap stays
 * flat is native. Extra Node.js options for the gateway (a flag to try) go in
 * `--node-options`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { catalogSizes } from './bench-scenario.js';
import { installCleanup, peakRssBytes } from './child-process.js';
import { adminToken } from './gateway-process.js';
import { startOneGateway } from './one-gateway.js';
import { checkTarget, jobTarget } from './targets.js';

const { values } = parseArgs({ options: { 'node-options': { type: 'string', default: '' } } });
const nodeArgs = (values['node-options'] ?? '').split(/\s+/).filter(Boolean);
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const log = (line: string): void => void process.stderr.write(`[memory] ${line}\n`);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tta-models-memory-'));
installCleanup(() => rmSync(scratch, { recursive: true, force: true }));
const started = await startOneGateway({ scratch, models: catalogSizes.small, nodeArgs, log });
const { load } = started;
const pid = started.process.handle.pid as number;

/** Resident memory now, anonymous and file-backed, and the peak so far. */
function resident(): string {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kilobytes = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) * 1000;
  const rss = kilobytes('Rss');
  const anonymous = kilobytes('Anonymous');
  return (
    `RSS ${megabytes(rss)} (anonymous ${megabytes(anonymous)}, files ${megabytes(rss - anonymous)}), ` +
    `peak ${megabytes(peakRssBytes(pid) ?? Number.NaN)}`
  );
}

/** The JS heap as the gateway reports it. */
async function heap(): Promise<string> {
  const response = await fetch(`${started.process.url}/metrics`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const text = await response.text();
  const figure = (name: string) =>
    Number(new RegExp(`^tta_models_nodejs_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return `heap ${megabytes(figure('heap_size_used_bytes'))} used of ${megabytes(figure('heap_size_total_bytes'))}`;
}

const phases = ['paced', 'saturation', 'streamed', 'saturation', 'streamed', 'saturation'];
try {
  await checkTarget(started.gateway);
  process.stdout.write(`started:          ${resident()}; ${await heap()}\n`);
  for (const phase of phases) {
    const target = jobTarget(started.gateway);
    const timing = { warmupSeconds: 1, seconds: 3 };
    const result =
      phase === 'saturation'
        ? await load.run({ kind: 'saturation', target, connections: 32, ...timing })
        : await load.run({
            kind: 'paced',
            target,
            rate: 500,
            stream: phase === 'streamed',
            ...timing,
          });
    const rate =
      result.kind === 'saturation' ? `, ${Math.round(result.requestsPerSecond)} req/s` : '';
    process.stdout.write(
      `${`after ${phase}:`.padEnd(18)}${resident()}; ${await heap()}; ${result.errors} errors${rate}\n`,
    );
  }
} finally {
  await started.stop();
}
