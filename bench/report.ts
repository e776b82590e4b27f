/**
 * The benchmark's verdicts against the goals, and the table that shows them beside
 * the figures of the direct, floor and gateway targets.
 */
import { liveSessions } from './bench-scenario.js';
import type { TargetFigures } from './figures.js';
import { chunkDelayMs, streamedEvents } from './rounds.js';
import { type TargetName, targetNames } from './targets.js';

/** Figures per target; a target that could not run is missing. */
export type FiguresByTarget = Partial<Record<TargetName, TargetFigures>>;

/** One goal and whether it was met. */
export interface GoalResult {
  /** Short identifier, stable for `--json` consumers. */
  id: string;
  /** The goal in words. */
  goal: string;
  /** The measured quantity the goal is about (ms, ratio or bytes); NaN when not measured. */
  value: number;
  /** Undefined when the figures needed were not measured. */
  met: boolean | undefined;
}

/** The goal figures: gateway over floor, as the issue states them. */
const goalSpecs = [
  {
    id: 'paced-p50-added-ms',
    goal: 'added p50 ≤ 0.3 ms over floor',
    value: (gateway: TargetFigures, floor: TargetFigures) => gateway.pacedP50 - floor.pacedP50,
    met: (value: number) => value <= 0.3,
  },
  {
    id: 'paced-p99-added-ms',
    goal: 'added p99 ≤ 3 ms over floor',
    value: (gateway: TargetFigures, floor: TargetFigures) => gateway.pacedP99 - floor.pacedP99,
    met: (value: number) => value <= 3,
  },
  {
    id: 'saturation-ratio',
    goal: 'saturation ≥ 0.5× floor',
    value: (gateway: TargetFigures, floor: TargetFigures) =>
      gateway.saturationRps / floor.saturationRps,
    met: (value: number) => value >= 0.5,
  },
  {
    id: 'first-token-p50-added-ms',
    goal: 'first token p50 ≤ 1 ms over floor',
    value: (gateway: TargetFigures, floor: TargetFigures) =>
      gateway.firstTokenP50 - floor.firstTokenP50,
    met: (value: number) => value <= 1,
  },
  {
    id: 'peak-rss-bytes',
    goal: 'peak RSS < 150 MB under load',
    value: (gateway: TargetFigures) => gateway.peakRssBytes,
    met: (value: number) => value < 150e6,
  },
  {
    // Not an issue goal: proves streams are relayed event by event, not collected first.
    id: 'stream-spread-ratio',
    goal: 'stream not buffered (spread ≥ 0.8× direct)',
    value: (gateway: TargetFigures, _floor: TargetFigures, direct: TargetFigures) =>
      gateway.dataChunks >= 2 ? gateway.chunkSpreadMs / direct.chunkSpreadMs : 0,
    met: (value: number) => value >= 0.8,
  },
  {
    id: 'gateway-errors',
    goal: 'every request answered',
    value: (gateway: TargetFigures) => gateway.errors,
    met: (value: number) => value === 0,
  },
] as const;

/** Evaluates every goal; those whose figures are missing are neither met nor not met. */
export function evaluateGoals(figures: FiguresByTarget): GoalResult[] {
  const { direct, floor, gateway } = figures;
  return goalSpecs.map((spec) => {
    if (direct === undefined || floor === undefined || gateway === undefined) {
      return { id: spec.id, goal: spec.goal, value: Number.NaN, met: undefined };
    }
    const value = spec.value(gateway, floor, direct);
    return {
      id: spec.id,
      goal: spec.goal,
      value,
      met: Number.isNaN(value) ? undefined : spec.met(value),
    };
  });
}

/** How a figure is printed. */
type Format = (value: number) => string;

const ms: Format = (value) => value.toFixed(3);
const count: Format = (value) => value.toFixed(0);
const megabytes: Format = (value) => (value / 1e6).toFixed(1);
const signedMs: Format = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`;
const ratio: Format = (value) => `${value.toFixed(2)}×`;

/** One line of the table. */
interface RowSpec {
  label: string;
  pick: (figures: TargetFigures) => number;
  format: Format;
  /** Gateway against floor: difference or ratio; none for figures without a comparison. */
  compare?: 'difference' | 'ratio';
  /** The goal this row is judged by. */
  goalId?: GoalResult['id'];
  /** Targets whose figure is not comparable (shown as a dash). */
  skip?: readonly TargetName[];
}

const rows: readonly RowSpec[] = [
  {
    label: 'paced p50 (ms)',
    pick: (f) => f.pacedP50,
    format: ms,
    compare: 'difference',
    goalId: 'paced-p50-added-ms',
  },
  {
    label: 'paced p99 (ms)',
    pick: (f) => f.pacedP99,
    format: ms,
    compare: 'difference',
    goalId: 'paced-p99-added-ms',
  },
  { label: 'paced mean (ms)', pick: (f) => f.pacedMean, format: ms, compare: 'difference' },
  {
    label: 'saturation (req/s)',
    pick: (f) => f.saturationRps,
    format: count,
    compare: 'ratio',
    goalId: 'saturation-ratio',
  },
  {
    label: 'first token p50 (ms)',
    pick: (f) => f.firstTokenP50,
    format: ms,
    compare: 'difference',
    goalId: 'first-token-p50-added-ms',
  },
  {
    label: 'first token p99 (ms)',
    pick: (f) => f.firstTokenP99,
    format: ms,
    compare: 'difference',
  },
  {
    label: 'stream first→last (ms)',
    pick: (f) => f.chunkSpreadMs,
    format: (v) => v.toFixed(1),
    compare: 'ratio',
    goalId: 'stream-spread-ratio',
  },
  {
    label: 'peak RSS, paced only (MB)',
    pick: (f) => f.pacedPeakRssBytes,
    format: megabytes,
    compare: 'ratio',
    skip: ['direct', 'plain'],
  },
  {
    label: 'peak RSS, main table (MB)',
    pick: (f) => f.peakRssBytes,
    format: megabytes,
    compare: 'ratio',
    goalId: 'peak-rss-bytes',
    skip: ['direct', 'plain'],
  },
  { label: 'errors (all phases)', pick: (f) => f.errors, format: count, goalId: 'gateway-errors' },
];

/** The cell of one figure. */
function cell(figures: TargetFigures | undefined, row: RowSpec, target: TargetName): string {
  if (figures === undefined) return 'n/a';
  if (row.skip?.includes(target)) return '—';
  const value = row.pick(figures);
  return Number.isNaN(value) ? 'n/a' : row.format(value);
}

/** Targets compared with the floor, each in a column of its own. */
const compared = ['json-floor', 'gateway', 'plain'] as const;

/** The "gateway vs floor" (or "plain vs floor", "json-floor vs floor") cell. */
function comparison(
  figures: FiguresByTarget,
  row: RowSpec,
  target: (typeof compared)[number],
): string {
  const { floor } = figures;
  const own = figures[target];
  if (row.compare === undefined || floor === undefined || own === undefined) return '';
  if (row.skip?.includes(target)) return '';
  const [mine, theirs] = [row.pick(own), row.pick(floor)];
  const value = row.compare === 'difference' ? mine - theirs : mine / theirs;
  if (Number.isNaN(value)) return 'n/a';
  return row.compare === 'difference' ? signedMs(value) : ratio(value);
}

/** Pads cells into aligned columns: the first left-aligned, numbers right-aligned. */
function alignColumns(table: string[][]): string[] {
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((line) => line[column]?.length ?? 0))) ?? [];
  return table.map((line) =>
    line
      .map((text, column) => {
        const width = widths[column] ?? 0;
        // figure, the targets and the comparisons; goal and verdict are text.
        const isText = column === 0 || column > targetNames.length + compared.length;
        return isText ? text.padEnd(width) : text.padStart(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

/** What the heading of the table says about the run. */
export interface RunDescription {
  rounds: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  environment: string;
  /** False when the gateways ran without their once-a-minute rollup and alert evaluation. */
  monitoring?: boolean;
  /** Extra Node.js options the gateways ran with. */
  gatewayNodeArgs?: readonly string[];
}

/** The printed table, with a heading and notes. */
export function formatReport(
  figures: FiguresByTarget,
  goals: readonly GoalResult[],
  run: RunDescription,
): string {
  const verdictOf = (id: string | undefined): [string, string] => {
    const goal = goals.find((candidate) => candidate.id === id);
    if (goal === undefined) return ['', ''];
    return [goal.goal, goal.met === undefined ? 'n/a' : goal.met ? 'met' : 'NOT MET'];
  };
  const header = [
    'figure',
    ...targetNames,
    ...compared.map((target) => `${target} vs floor`),
    'goal',
    'verdict',
  ];
  const body = rows.map((row) => [
    row.label,
    ...targetNames.map((target) => cell(figures[target], row, target)),
    ...compared.map((target) => comparison(figures, row, target)),
    ...verdictOf(row.goalId),
  ]);
  const lines = alignColumns([header, ...body]);
  const rule = '─'.repeat(Math.max(...lines.map((line) => line.length)));
  const expectedSpread = (streamedEvents - 1) * chunkDelayMs;
  const lag = figures.direct?.sendLagP50;
  const met = goals.filter((goal) => goal.met === true).length;
  return [
    `Gateway overhead: medians of ${run.rounds} round${run.rounds === 1 ? '' : 's'}; ` +
      `paced ${run.rate} req/s for ${run.seconds} s after ${run.warmupSeconds} s warm-up; ` +
      `saturation with ${run.connections} connections.`,
    run.environment,
    ...(run.monitoring === false
      ? ['gateway config: alerts.evaluateEverySeconds: 0 (no minute rollup or alert evaluation)']
      : []),
    ...(run.gatewayNodeArgs?.length
      ? [`gateway node options: ${run.gatewayNodeArgs.join(' ')}`]
      : []),
    rule,
    lines[0] ?? '',
    rule,
    ...lines.slice(1),
    rule,
    `${met} of ${goals.length} met.`,
    "Latencies run from each request's intended send time (no coordinated omission)" +
      (lag === undefined || Number.isNaN(lag)
        ? '.'
        : `; the generator's own send lag (p50 ${lag.toFixed(3)} ms) is in every target's figure.`),
    `First token: time to the first "data:" chunk. Stream first→last: ${streamedEvents} upstream events ` +
      `${chunkDelayMs} ms apart, so ~${expectedSpread} ms when nothing buffers; ratio vs direct in the goal.`,
    'direct = the fake upstream itself; floor = a bare node:http + undici pass-through proxy; ' +
      'json-floor = the same proxy parsing and re-serialising both JSON bodies, the least a ' +
      'gateway that reads what it forwards must do; ' +
      'gateway = every feature on (bearer client key, model "auto" with a task, a session ' +
      `header over ${liveSessions} live sessions, request recording, metrics, info logs); ` +
      'plain = the same ' +
      'gateway process asked for a plain model name with the key, no task, no session.',
    'Peak RSS is VmHWM (MB = 10^6 bytes): "paced only" after warm-up and round 1\'s paced ' +
      'phase, "main table" after every phase above (saturation included); direct runs under ' +
      'tsx, so has none.',
  ].join('\n');
}
