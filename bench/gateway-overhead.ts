/**
 * `npm run bench`: what the gateway adds over a plain Node pass-through proxy (the floor).
 *
 * A fake OpenAI upstream, the floor proxy, the built gateway and a load generator each run
 * in their own process on 127.0.0.1. Every round measures paced latency, saturation
 * throughput, streamed first-token latency and chunk timing against each target in turn;
 * the table shows medians over rounds beside the goals. Figures, not assertions.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchOptions, usage } from './bench-options.js';
import { type ChildHandle, installCleanup, peakRssBytes } from './child-process.js';
import { figuresOf } from './figures.js';
import { ensureGatewayBuilt } from './gateway-process.js';
import { startLoadGenerator } from './load-client.js';
import { evaluateGoals, type FiguresByTarget, formatReport } from './report.js';
import { replyChunks, runRounds } from './rounds.js';
import {
  checkTarget,
  type RunningTarget,
  startFakeUpstreamProcess,
  startFloorProxy,
  startGatewayTarget,
  stopAll,
} from './targets.js';

const replyText =
  'The torchlight catches wet limestone. Water drips somewhere ahead, and a narrow passage ' +
  'slopes down into the dark, its walls scratched with old marks.';

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function environment(loadAtStart: number): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0] ?? Number.NaN;
  return (
    `node ${process.version}, ${cpus.length} CPU ${cpus[0]?.model.trim() ?? ''}, ` +
    `load average ${loadAtStart.toFixed(2)} at start, ${load.toFixed(2)} at end`
  );
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseBenchOptions>;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tta-models-bench-'));
  const removeScratch = (): void => rmSync(scratch, { recursive: true, force: true });
  installCleanup(removeScratch);
  const children: ChildHandle[] = [];
  try {
    const buildWarning = await ensureGatewayBuilt(log);
    if (buildWarning !== undefined) log(`warning: ${buildWarning}`);

    log('starting the fake upstream, the load generator and the floor proxy');
    const fake = await startFakeUpstreamProcess({
      text: replyText,
      chunks: replyChunks,
      chunkDelayMs: 0,
    });
    children.push(fake.handle);
    const load = await startLoadGenerator();
    children.push(load.handle);
    const floor = await startFloorProxy(fake.origin);
    children.push(floor.handle);
    const targets: RunningTarget[] = [
      { name: 'direct', origin: fake.origin, handle: fake.handle },
      floor,
    ];

    log('starting the gateway (node bin/tta-models.js serve)');
    const home = path.join(scratch, 'home');
    mkdirSync(home);
    let gatewayProblem: string | undefined;
    try {
      const gateway = await startGatewayTarget(home, fake.baseUrl);
      children.push(gateway.handle);
      targets.push(gateway);
    } catch (error) {
      gatewayProblem = error instanceof Error ? error.message : String(error);
    }
    for (const target of [...targets]) {
      try {
        await checkTarget(target);
      } catch (error) {
        if (target.name !== 'gateway') throw error;
        gatewayProblem = error instanceof Error ? error.message : String(error);
        targets.splice(targets.indexOf(target), 1);
      }
    }
    if (gatewayProblem !== undefined) {
      log(`the gateway cannot be measured, carrying on with direct and floor:\n${gatewayProblem}`);
    }

    const results = await runRounds(options, targets, fake, load, log);
    const figures: FiguresByTarget = {};
    for (const target of targets) {
      const own = results.get(target.name);
      if (own !== undefined) figures[target.name] = figuresOf(own, peakRssBytes(target.handle.pid));
    }
    const goals = evaluateGoals(figures);
    const gateway = targets.find((target) => target.name === 'gateway');
    if (gateway !== undefined && (figures.gateway?.errors ?? 0) > 0) {
      log(`the gateway failed some requests; its last output:\n${gateway.handle.output().trim()}`);
    }
    const run = {
      rounds: options.rounds,
      rate: options.rate,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      environment: environment(loadAtStart),
    };
    if (options.json) {
      const rounds = Object.fromEntries(results);
      const document = { run, gatewayProblem, figures, goals, rounds };
      // NaN is not JSON: report missing figures as null.
      const text = JSON.stringify(document, (_key, value: unknown) =>
        typeof value === 'number' && Number.isNaN(value) ? null : value,
      );
      process.stdout.write(`${text}\n`);
    } else {
      process.stdout.write(`\n${formatReport(figures, goals, run)}\n`);
    }
    return gatewayProblem === undefined ? 0 : 1;
  } finally {
    await stopAll(children);
    removeScratch();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
