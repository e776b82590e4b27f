/**
 * Profiles the gateway under one load of the benchmark:
 * `npx tsx bench/profile-gateway.ts [paced|saturation|stream] [seconds] [plain]`.
 *
 * Starts the fake upstream, the load generator and the built gateway (every feature on, or
 * a plain model name with `plain`) with `--cpu-prof`, warms up, runs the load, stops the
 * gateway (which writes its profile as it exits) and prints self time per package and
 * function. Extra Node.js options for the gateway come from `BENCH_GATEWAY_NODE_ARGS`; the
 * profile is copied to `BENCH_PROFILE_KEEP` when that names a file; `BENCH_PROFILE_MODELS`
 * sets the catalog size (default 10).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogSizes } from './bench-scenario.js';
import { installCleanup, peakRssBytes } from './child-process.js';
import { formatProfileSummary, summarizeProfile } from './cpu-profile-summary.js';
import { startOneGateway } from './one-gateway.js';
import { checkTarget, jobTarget } from './targets.js';

const [phase = 'saturation', secondsText = '10', variant = 'all'] = process.argv.slice(2);
const seconds = Number(secondsText);
if (
  !['paced', 'saturation', 'stream'].includes(phase) ||
  !(seconds > 0) ||
  !['all', 'plain'].includes(variant)
) {
  process.stderr.write(
    'Usage: npx tsx bench/profile-gateway.ts [paced|saturation|stream] [seconds] [plain]\n' +
      '(see the comment at the top of bench/profile-gateway.ts for the environment variables)\n',
  );
  process.exit(phase === '--help' || phase === '-h' ? 0 : 2);
}
const log = (line: string): void => void process.stderr.write(`[profile] ${line}\n`);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tta-models-profile-'));
installCleanup(() => rmSync(scratch, { recursive: true, force: true }));
const profiles = path.join(scratch, 'profiles');
const extra = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const started = await startOneGateway({
  scratch,
  models: Number(process.env.BENCH_PROFILE_MODELS ?? catalogSizes.small),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profiles}`, ...extra],
  log,
});
const { load } = started;
const target = variant === 'plain' ? started.plain : started.gateway;
try {
  await checkTarget(target);
  const job = jobTarget(target);
  const timing = { warmupSeconds: 2, seconds };
  log(
    `${phase} for ${seconds} s against the ${variant === 'plain' ? 'plain' : 'all-features'} request`,
  );
  const result =
    phase === 'saturation'
      ? await load.run({ kind: 'saturation', target: job, connections: 32, ...timing })
      : await load.run({
          kind: 'paced',
          target: job,
          rate: 500,
          stream: phase === 'stream',
          ...timing,
        });
  log(`result: ${JSON.stringify(result)}`);
  log(`gateway peak RSS ${((peakRssBytes(started.process.handle.pid) ?? 0) / 1e6).toFixed(1)} MB`);
} finally {
  await started.stop();
}
const [file] = readdirSync(profiles).filter((name) => name.endsWith('.cpuprofile'));
if (file === undefined)
  throw new Error(`no profile was written; gateway output:\n${started.process.handle.output()}`);
const profile = JSON.parse(readFileSync(path.join(profiles, file), 'utf8'));
const keep = process.env.BENCH_PROFILE_KEEP;
if (keep) copyFileSync(path.join(profiles, file), keep);
process.stdout.write(`${formatProfileSummary(summarizeProfile(profile), 45)}\n`);
rmSync(scratch, { recursive: true, force: true });
