/**
 * Command-line options of `npm run bench` (`tsx bench/gateway-overhead.ts`).
 */
import { parseArgs } from 'node:util';

/** What the benchmark runs. */
export interface BenchOptions {
  /** Arrival rate of the paced phases, requests per second. */
  rate: number;
  /** Measured seconds of each paced and saturation phase. */
  seconds: number;
  /** Discarded warm-up seconds before each of those phases. */
  warmupSeconds: number;
  /** Rounds over all targets; figures are medians over rounds. */
  rounds: number;
  /** Connections of the saturation phase. */
  connections: number;
  /** Streamed requests per target in the chunk-timing check. */
  chunkTimingRequests: number;
  /** Rounds of the cost-growth section (0: skip it). */
  growthRounds: number;
  /** Extra Node.js options of the gateway children (e.g. `--cpu-prof --cpu-prof-dir=DIR`). */
  gatewayNodeArgs: string[];
  /** Whether the gateways run their once-a-minute metrics rollup and alert evaluation. */
  monitoring: boolean;
  /** Print the results as JSON on stdout instead of the table. */
  json: boolean;
  /** Print usage and stop. */
  help: boolean;
}

/** Usage text. */
export const usage = `Usage: npm run bench -- [options]

Measures what the gateway adds over a plain Node pass-through proxy (the floor), with a
fake OpenAI upstream, a load generator and each target in their own processes.

  --rate N          paced arrival rate, requests/s (default 500)
  --seconds N       measured seconds per phase (default 3)
  --warmup N        warm-up seconds before each phase (default 1)
  --rounds N        rounds over all targets, figures are medians (default 3)
  --connections N   connections of the saturation phase (default 32)
  --growth-rounds N rounds of the cost-growth section (default 3; 0 skips it)
  --no-monitoring   turn off the gateways' once-a-minute metrics rollup and alert
                    evaluation (alerts.evaluateEverySeconds: 0), to see what it costs
  --quick           smoke run: 1 round, 1 s phases, 0.5 s warm-up, no growth section
  --gateway-node-args="ARGS"
                    Node.js options of the gateway processes (after the bin's own),
                    space-separated; write it with "=", e.g.
                    --gateway-node-args="--cpu-prof --cpu-prof-dir=/tmp/profiles"
  --json            results as JSON on stdout (progress stays on stderr)
  -h, --help        this text
`;

/** A positive number option, or the default when absent. */
function positive(
  raw: string | undefined,
  name: string,
  fallback: number,
  integer: boolean,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

/** Parses the arguments after the script name; throws with a readable message on bad input. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      'growth-rounds': { type: 'string' },
      'gateway-node-args': { type: 'string' },
      'no-monitoring': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  return {
    rate: positive(values.rate, 'rate', 500, false),
    seconds: positive(values.seconds, 'seconds', quick ? 1 : 3, false),
    warmupSeconds: positive(values.warmup, 'warmup', quick ? 0.5 : 1, false),
    rounds: positive(values.rounds, 'rounds', quick ? 1 : 3, true),
    connections: positive(values.connections, 'connections', 32, true),
    chunkTimingRequests: quick ? 8 : 16,
    growthRounds:
      values['growth-rounds'] === '0'
        ? 0
        : positive(values['growth-rounds'], 'growth-rounds', quick ? 0 : 3, true),
    gatewayNodeArgs: (values['gateway-node-args'] ?? '').split(/\s+/).filter(Boolean),
    monitoring: values['no-monitoring'] !== true,
    json: values.json === true,
    help: values.help === true,
  };
}
