/**
 * The cost-growth section of `npm run bench`: how the gateway's overhead over the floor moves
 * when the catalog grows from 10 to 1,000 models, the live sessions from 1 to 10,000 and the
 * conversation from 2 to 200 messages. Each probe (a target and what its requests carry) is
 * measured in every round, in rotated order; each case compares its baseline and its grown
 * probe with the floor measured in the same round, so the figures are differences and ratios
 * taken close together in time, then medians over rounds.
 */
import type { BenchOptions } from './bench-options.js';
import {
  allFeaturesRequest,
  catalogSizes,
  conversation,
  floorRequest,
  liveSessions,
  longConversation,
  manySessions,
} from './bench-scenario.js';
import type { LoadGenerator } from './load-client.js';
import { median } from './percentiles.js';
import { rotate } from './rounds.js';
import { jobTarget, type RunningTarget } from './targets.js';

/** One probe's figures in one round. */
export interface ProbeRound {
  pacedP50: number;
  pacedP99: number;
  saturationRps: number;
  errors: number;
}

/** A case: a baseline and a grown probe, each with the floor probe it is judged against. */
export interface GrowthCase {
  id: string;
  /** What grows, in words (`catalog 10 → 1,000 models`). */
  label: string;
  baseline: { gateway: string; floor: string };
  grown: { gateway: string; floor: string };
}

/** A case's figures: medians over rounds of per-round differences and ratios. */
export interface GrowthFigures {
  id: string;
  label: string;
  /** Gateway p50 minus floor p50 (paced), ms. */
  addedP50: { baseline: number; grown: number };
  /** Gateway p99 minus floor p99 (paced), ms. */
  addedP99: { baseline: number; grown: number };
  /** Gateway saturation throughput over the floor's. */
  saturationRatio: { baseline: number; grown: number };
  /** Failed requests of the case's gateway probes, over every round. */
  errors: number;
}

/** The probes of the growth section, by name; `gateway` is the main table's gateway request. */
export interface GrowthTargets {
  floor: RunningTarget<string>;
  gateway: RunningTarget<string>;
  /** The same requests to a gateway whose catalog has the large number of models. */
  largeCatalog: RunningTarget<string>;
}

/** The probes and cases of a run. */
export function growthPlan(targets: GrowthTargets): {
  probes: RunningTarget<string>[];
  cases: GrowthCase[];
  /** The probe whose sessions must exist before measuring, and how many. */
  prime: { probe: RunningTarget<string>; sessions: number };
} {
  const long = conversation(longConversation);
  const probes: RunningTarget<string>[] = [
    { ...targets.floor, name: 'floor' },
    { ...targets.gateway, name: 'gateway' },
    { ...targets.largeCatalog, name: `gateway, ${catalogSizes.large} models` },
    {
      ...targets.gateway,
      name: `gateway, ${manySessions} sessions`,
      request: allFeaturesRequest({ sessions: manySessions }),
    },
    { ...targets.floor, name: `floor, ${longConversation} messages`, request: floorRequest(long) },
    {
      ...targets.gateway,
      name: `gateway, ${longConversation} messages`,
      request: allFeaturesRequest({ messages: long }),
    },
    {
      ...targets.gateway,
      name: 'gateway, one session',
      request: allFeaturesRequest({ sessions: 1 }),
    },
  ];
  const [floor, gateway, large, sessions, floorLong, gatewayLong, oneSession] = probes.map(
    (probe) => probe.name,
  ) as [string, string, string, string, string, string, string];
  const base = { gateway, floor };
  const number = (value: number): string => value.toLocaleString('en-US');
  return {
    probes,
    cases: [
      {
        id: 'catalog',
        label: `catalog ${catalogSizes.small} → ${number(catalogSizes.large)} models`,
        baseline: base,
        grown: { gateway: large, floor },
      },
      {
        id: 'sessions',
        label: `live sessions ${liveSessions} → ${number(manySessions)}`,
        baseline: base,
        grown: { gateway: sessions, floor },
      },
      {
        // Not a goal of the issue: concurrent turns of one session contend for its row.
        id: 'one-session',
        label: `one session for every request (vs ${liveSessions})`,
        baseline: base,
        grown: { gateway: oneSession, floor },
      },
      {
        id: 'conversation',
        label: `conversation 2 → ${longConversation} messages`,
        baseline: base,
        grown: { gateway: gatewayLong, floor: floorLong },
      },
    ],
    prime: { probe: probes[3] as RunningTarget<string>, sessions: manySessions },
  };
}

/** Runs the growth rounds and reduces them to one figure set per case. */
export async function runGrowth(
  options: BenchOptions,
  targets: GrowthTargets,
  load: LoadGenerator,
  log: (line: string) => void,
): Promise<{ figures: GrowthFigures[]; rounds: Record<string, ProbeRound[]> }> {
  const { probes, cases, prime } = growthPlan(targets);
  // The large-catalog gateway has just started: warm it up as the main one was.
  log('growth: warming up the large-catalog gateway');
  const large = jobTarget(targets.largeCatalog);
  const warm = { warmupSeconds: 0, seconds: options.warmupSeconds };
  await load.run({ kind: 'paced', target: large, rate: options.rate, stream: false, ...warm });
  await load.run({ kind: 'saturation', target: large, connections: options.connections, ...warm });
  log(`growth: giving ${prime.sessions} sessions their first turn`);
  const primed = await load.run({
    kind: 'prime',
    target: jobTarget(prime.probe),
    requests: prime.sessions,
    concurrency: 16,
  });
  log(`growth: primed in ${primed.seconds.toFixed(1)} s, ${primed.errors} errors`);
  const rounds: Record<string, ProbeRound[]> = Object.fromEntries(
    probes.map((probe) => [probe.name, []]),
  );
  const timing = { warmupSeconds: options.warmupSeconds, seconds: options.seconds };
  for (let round = 0; round < options.growthRounds; round++) {
    for (const probe of rotate(probes, round)) {
      log(`growth round ${round + 1}/${options.growthRounds}: ${probe.name}`);
      const target = jobTarget(probe);
      const paced = await load.run({
        kind: 'paced',
        target,
        rate: options.rate,
        stream: false,
        ...timing,
      });
      const saturation = await load.run({
        kind: 'saturation',
        target,
        connections: options.connections,
        ...timing,
      });
      rounds[probe.name]?.push({
        pacedP50: paced.latency.p50,
        pacedP99: paced.latency.p99,
        saturationRps: saturation.requestsPerSecond,
        errors: paced.errors + saturation.errors,
      });
    }
  }
  return { figures: cases.map((growthCase) => figuresOf(growthCase, rounds)), rounds };
}

/** A case's medians over rounds. */
function figuresOf(growthCase: GrowthCase, rounds: Record<string, ProbeRound[]>): GrowthFigures {
  const of = (name: string): ProbeRound[] => rounds[name] ?? [];
  const over = (
    pair: { gateway: string; floor: string },
    pick: (gateway: ProbeRound, floor: ProbeRound) => number,
  ): number => {
    const floors = of(pair.floor);
    return median(
      of(pair.gateway).map((gateway, round) => {
        const floor = floors[round];
        return floor === undefined ? Number.NaN : pick(gateway, floor);
      }),
    );
  };
  const both = (pick: (gateway: ProbeRound, floor: ProbeRound) => number) => ({
    baseline: over(growthCase.baseline, pick),
    grown: over(growthCase.grown, pick),
  });
  const errors = [growthCase.baseline.gateway, growthCase.grown.gateway]
    .flatMap(of)
    .reduce((total, round) => total + round.errors, 0);
  return {
    id: growthCase.id,
    label: growthCase.label,
    addedP50: both((gateway, floor) => gateway.pacedP50 - floor.pacedP50),
    addedP99: both((gateway, floor) => gateway.pacedP99 - floor.pacedP99),
    saturationRatio: both((gateway, floor) => gateway.saturationRps / floor.saturationRps),
    errors,
  };
}

/** The growth table. */
export function formatGrowth(
  figures: readonly GrowthFigures[],
  options: Pick<BenchOptions, 'growthRounds' | 'rate' | 'seconds' | 'connections'>,
): string {
  const signed = (value: number): string =>
    Number.isNaN(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
  const times = (value: number): string => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)}×`);
  const pair = (values: { baseline: number; grown: number }, format: (value: number) => string) =>
    `${format(values.baseline)} → ${format(values.grown)}`;
  const table = [
    ['case', 'added p50 (ms)', 'added p99 (ms)', 'saturation vs floor', 'errors'],
    ...figures.map((figure) => [
      figure.label,
      pair(figure.addedP50, signed),
      pair(figure.addedP99, signed),
      pair(figure.saturationRatio, times),
      String(figure.errors),
    ]),
  ];
  const widths = table[0]?.map((_, column) =>
    Math.max(...table.map((line) => line[column]?.length ?? 0)),
  );
  const lines = table.map((line) =>
    line
      .map((text, column) =>
        column === 0 ? text.padEnd(widths?.[column] ?? 0) : text.padStart(widths?.[column] ?? 0),
      )
      .join('  '),
  );
  const rule = '─'.repeat(Math.max(...lines.map((line) => line.length)));
  return [
    `Cost growth: baseline → grown, each against the floor in the same round; medians of ` +
      `${options.growthRounds} round${options.growthRounds === 1 ? '' : 's'}, paced ` +
      `${options.rate} req/s and saturation (${options.connections} connections), ${options.seconds} s each.`,
    rule,
    lines[0] ?? '',
    rule,
    ...lines.slice(1),
    rule,
    'Flat is the goal (not linear in the catalog or the session count). The long conversation ' +
      "is trimmed to the models' 4,096-token window; its floor relays the same 200-message body.",
  ].join('\n');
}
