/**
 * `npm run bench`: what the gateway adds over a plain Node pass-through proxy (the floor).
 *
 * A fake OpenAI upstream, the floor proxy, the built gateway and a load generator each run
 * in their own process on 127.0.0.1. Every round measures paced latency, saturation
 * throughput, streamed first-token latency and chunk timing against each target in turn;
 * the table shows medians over rounds beside the goals. The gateway runs with every
 * feature on (see bench-scenario.ts). A second section shows how the overhead grows with
 * the catalog, the live sessions and the conversation. Figures, not assertions; the JSON of
 * each run is kept under bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchOptions, parseBenchOptions, usage } from './bench-options.js';
import { benchClientKey, catalogModelIds, catalogSizes } from './bench-scenario.js';
import { type ChildHandle, installCleanup, peakRssBytes } from './child-process.js';
import { figuresOf } from './figures.js';
import { repositoryRoot } from './floor-build.js';
import { ensureGatewayBuilt, type GatewaySettings } from './gateway-process.js';
import { formatGrowth, type GrowthFigures, type ProbeRound, runGrowth } from './growth.js';
import { type LoadGenerator, startLoadGenerator } from './load-client.js';
import { evaluateGoals, type FiguresByTarget, formatReport } from './report.js';
import { replyChunks, runRounds } from './rounds.js';
import {
  checkTarget,
  directTarget,
  type RunningTarget,
  startFakeUpstreamProcess,
  startFloorProxy,
  startGatewayTargets,
  stopAll,
} from './targets.js';

const replyText =
  'The torchlight catches wet limestone. Water drips somewhere ahead, and a narrow passage ' +
  'slopes down into the dark, its walls scratched with old marks.';

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** The settings of a gateway child whose catalog holds `models` models. */
function gatewaySettings(options: BenchOptions, models: number): GatewaySettings {
  return {
    clientKeys: [benchClientKey],
    models: catalogModelIds(models),
    nodeArgs: options.gatewayNodeArgs,
    monitoring: options.monitoring,
  };
}

/** The growth section: a second gateway with the large catalog, then the growth rounds. */
async function growthSection(
  options: BenchOptions,
  scratch: string,
  fakeBaseUrl: string,
  targets: readonly RunningTarget[],
  load: LoadGenerator,
  children: ChildHandle[],
): Promise<{ figures: GrowthFigures[]; rounds: Record<string, ProbeRound[]> } | undefined> {
  const floor = targets.find((target) => target.name === 'floor');
  const gateway = targets.find((target) => target.name === 'gateway');
  if (options.growthRounds === 0 || floor === undefined || gateway === undefined) return undefined;
  log(`growth: starting a gateway with ${catalogSizes.large} models in its catalog`);
  const home = path.join(scratch, 'home-large');
  mkdirSync(home);
  const large = await startGatewayTargets(
    home,
    fakeBaseUrl,
    gatewaySettings(options, catalogSizes.large),
  );
  children.push(large.process.handle);
  await checkTarget(large.gateway);
  return runGrowth(options, { floor, gateway, largeCatalog: large.gateway }, load, log);
}

/** Keeps the run's JSON under bench/results/ for history; returns the file. */
function keepResults(document: unknown): string {
  const directory = path.join(repositoryRoot, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(directory, `gateway-overhead-${stamp}.json`);
  writeFileSync(file, `${asJson(document)}\n`);
  return file;
}

/** JSON of a result document; NaN is not JSON, so missing figures become null. */
function asJson(document: unknown): string {
  return JSON.stringify(document, (_key, value: unknown) =>
    typeof value === 'number' && Number.isNaN(value) ? null : value,
  );
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

    log('starting the fake upstream, the load generator and the floor proxies');
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
    const jsonFloor = await startFloorProxy(fake.origin, 'json');
    children.push(jsonFloor.handle);
    const targets: RunningTarget[] = [directTarget(fake), floor, jsonFloor];

    log('starting the gateway (node bin/tta-models.js serve)');
    const home = path.join(scratch, 'home');
    mkdirSync(home);
    let gatewayProblem: string | undefined;
    try {
      const gateway = await startGatewayTargets(
        home,
        fake.baseUrl,
        gatewaySettings(options, catalogSizes.small),
      );
      children.push(gateway.process.handle);
      targets.push(gateway.gateway, gateway.plain);
    } catch (error) {
      gatewayProblem = error instanceof Error ? error.message : String(error);
    }
    for (const target of [...targets]) {
      try {
        await checkTarget(target);
      } catch (error) {
        if (target.name !== 'gateway' && target.name !== 'plain') throw error;
        gatewayProblem = error instanceof Error ? error.message : String(error);
        targets.splice(targets.indexOf(target), 1);
      }
    }
    if (gatewayProblem !== undefined) {
      log(`the gateway cannot be measured, carrying on without it:\n${gatewayProblem}`);
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
      const said = gateway.handle.warnings().trim() || gateway.handle.output().trim();
      log(`the gateway failed some requests; its last warnings:\n${said}`);
    }
    const growth = await growthSection(
      options,
      scratch,
      fake.baseUrl,
      targets,
      load,
      children,
    ).catch((error: unknown) => {
      // The main table stands on its own; say why the growth section is missing.
      log(`the growth section failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    const run = {
      rounds: options.rounds,
      rate: options.rate,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      growthRounds: options.growthRounds,
      monitoring: options.monitoring,
      gatewayNodeArgs: options.gatewayNodeArgs,
      environment: environment(loadAtStart),
      // After the growth section too: 10,000 live sessions and a 200-message conversation.
      gatewayPeakRssBytesAtEnd:
        gateway === undefined ? undefined : peakRssBytes(gateway.handle.pid),
    };
    const document = {
      run,
      gatewayProblem,
      figures,
      goals,
      growth: growth?.figures,
      rounds: Object.fromEntries(results),
      growthRounds: growth?.rounds,
    };
    const kept = keepResults(document);
    if (options.json) {
      process.stdout.write(`${asJson(document)}\n`);
    } else {
      const sections = [formatReport(figures, goals, run)];
      if (growth !== undefined) sections.push(formatGrowth(growth.figures, options));
      if (run.gatewayPeakRssBytesAtEnd !== undefined) {
        sections.push(
          `Gateway peak RSS at the very end (growth section included): ` +
            `${(run.gatewayPeakRssBytesAtEnd / 1e6).toFixed(1)} MB.`,
        );
      }
      process.stdout.write(`\n${sections.join('\n\n')}\n`);
    }
    log(`results kept in ${path.relative(repositoryRoot, kept)}`);
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
