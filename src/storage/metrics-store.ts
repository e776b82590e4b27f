import type { Kysely } from 'kysely';
import type { MetricsDailyTable } from './benchmark-tables.js';
import type { DatabaseSchema } from './schema.js';
import type { WriteLock } from './write-lock.js';

/**
 * Request ids of benchmark traffic start with this, so live monitoring can leave the
 * benchmark's own calls out (they still cost money: cost totals keep them).
 */
export const benchmarkRequestPrefix = 'bench-';

/** Where a rollup's figures come from. */
export type MetricsSource = 'live' | 'benchmark';

/** One request of the request log, as monitoring reads it. */
export interface MonitoredRequest {
  createdAt: number;
  model: string;
  task: string | null;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  firstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
  /** True for the benchmark runner's own calls. */
  benchmark: boolean;
}

/** One day (UTC) of one model and task. Sums, so days and groups add up. */
export interface DailyRollup {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  source: MetricsSource;
  model: string;
  /** Null when the requests named no task. */
  task: string | null;
  requests: number;
  errors: number;
  latencyMsSum: number;
  /** Latency histogram `{bucket: count}` (`latency-histogram.ts` defines the buckets). */
  latencyHistogram: Record<string, number>;
  firstTokenMsSum: number;
  firstTokenCount: number;
  promptTokens: number;
  completionTokens: number;
  /** Completion tokens of answers with a known time, and that time (tokens/s = tokens / s). */
  throughputTokens: number;
  throughputMs: number;
  costUsd: number;
  /** Benchmarks only (0 for live): results, passes, safety results, safety passes, summed quality. */
  scenarios: number;
  passed: number;
  safetyTotal: number;
  safetyPassed: number;
  qualitySum: number;
}

/** Which rollups to read. */
export interface RollupQuery {
  /** First day, `YYYY-MM-DD` (inclusive). */
  from?: string;
  /** Last day, `YYYY-MM-DD` (inclusive). */
  to?: string;
  source?: MetricsSource;
  models?: readonly string[];
  /** A task; `null` for requests that named none. */
  task?: string | null;
}

/** Daily rollups, and the request log read for monitoring. */
export interface MetricsStore {
  /** Requests answered by a model in `[from, to)`, oldest first. */
  requestsBetween(
    from: number,
    to: number,
    options?: { includeBenchmarks?: boolean },
  ): Promise<MonitoredRequest[]>;
  /** Replaces the rollups of `source` for `days` with `rows`, in one transaction. */
  replaceDays(
    source: MetricsSource,
    days: readonly string[],
    rows: readonly DailyRollup[],
  ): Promise<void>;
  /** Stored rollups, by day then model then task. */
  rollups(query?: RollupQuery): Promise<DailyRollup[]>;
  /** The time of the oldest request or benchmark result, epoch milliseconds; undefined when there is none. */
  earliest(): Promise<number | undefined>;
}

function toRow(rollup: DailyRollup, at: number): MetricsDailyTable {
  return {
    day: rollup.day,
    source: rollup.source,
    model: rollup.model,
    task: rollup.task ?? '',
    requests: rollup.requests,
    errors: rollup.errors,
    latency_ms_sum: rollup.latencyMsSum,
    latency_histogram: JSON.stringify(rollup.latencyHistogram),
    first_token_ms_sum: rollup.firstTokenMsSum,
    first_token_count: rollup.firstTokenCount,
    prompt_tokens: rollup.promptTokens,
    completion_tokens: rollup.completionTokens,
    throughput_tokens: rollup.throughputTokens,
    throughput_ms: rollup.throughputMs,
    cost_usd: rollup.costUsd,
    scenarios: rollup.scenarios,
    passed: rollup.passed,
    safety_total: rollup.safetyTotal,
    safety_passed: rollup.safetyPassed,
    quality_sum: rollup.qualitySum,
    updated_at: at,
  };
}

function toRollup(row: MetricsDailyTable): DailyRollup {
  return {
    day: row.day,
    source: row.source === 'benchmark' ? 'benchmark' : 'live',
    model: row.model,
    task: row.task === '' ? null : row.task,
    requests: Number(row.requests),
    errors: Number(row.errors),
    latencyMsSum: Number(row.latency_ms_sum),
    latencyHistogram: JSON.parse(row.latency_histogram) as Record<string, number>,
    firstTokenMsSum: Number(row.first_token_ms_sum),
    firstTokenCount: Number(row.first_token_count),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    throughputTokens: Number(row.throughput_tokens),
    throughputMs: Number(row.throughput_ms),
    costUsd: Number(row.cost_usd),
    scenarios: Number(row.scenarios),
    passed: Number(row.passed),
    safetyTotal: Number(row.safety_total),
    safetyPassed: Number(row.safety_passed),
    qualitySum: Number(row.quality_sum),
  };
}

/**
 * Rollups over `metrics_daily`; monitoring reads over `requests`. `lock` keeps replicas
 * rolling up the same days at once from tripping over each other's rows.
 */
export function createMetricsStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
  lock: WriteLock,
): MetricsStore {
  return {
    async requestsBetween(from, to, options = {}) {
      const rows = await db
        .selectFrom('requests')
        .select([
          'id',
          'created_at',
          'model',
          'task',
          'status',
          'error_code',
          'latency_ms',
          'first_token_ms',
          'prompt_tokens',
          'completion_tokens',
          'cost_usd',
        ])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .where('model', 'is not', null)
        .$if(options.includeBenchmarks !== true, (select) =>
          select.where('id', 'not like', `${benchmarkRequestPrefix}%`),
        )
        .orderBy('created_at')
        .execute();
      const number = (value: number | null) => (value === null ? null : Number(value));
      return rows.map((row) => ({
        createdAt: Number(row.created_at),
        model: row.model ?? '',
        task: row.task,
        status: row.status,
        errorCode: row.error_code,
        latencyMs: Number(row.latency_ms),
        firstTokenMs: number(row.first_token_ms),
        promptTokens: number(row.prompt_tokens),
        completionTokens: number(row.completion_tokens),
        costUsd: number(row.cost_usd),
        benchmark: row.id.startsWith(benchmarkRequestPrefix),
      }));
    },

    async replaceDays(source, days, rows) {
      if (days.length === 0) return;
      const at = Math.round(now());
      await db.transaction().execute(async (transaction) => {
        await lock(transaction, `metrics_daily:${source}`);
        await transaction
          .deleteFrom('metrics_daily')
          .where('source', '=', source)
          .where('day', 'in', [...days])
          .execute();
        // 21 columns x 500 rows stays below every database's bound-parameter limit.
        for (let start = 0; start < rows.length; start += 500) {
          await transaction
            .insertInto('metrics_daily')
            .values(rows.slice(start, start + 500).map((rollup) => toRow(rollup, at)))
            .execute();
        }
      });
    },

    async rollups(query = {}) {
      const rows = await db
        .selectFrom('metrics_daily')
        .selectAll()
        .$if(query.from !== undefined, (select) => select.where('day', '>=', query.from ?? ''))
        .$if(query.to !== undefined, (select) => select.where('day', '<=', query.to ?? ''))
        .$if(query.source !== undefined, (select) =>
          select.where('source', '=', query.source ?? 'live'),
        )
        .$if(query.models !== undefined && query.models.length > 0, (select) =>
          select.where('model', 'in', [...(query.models ?? [])]),
        )
        .$if(query.task !== undefined, (select) => select.where('task', '=', query.task ?? ''))
        .orderBy('day')
        .orderBy('model')
        .orderBy('task')
        .execute();
      return rows.map(toRollup);
    },

    async earliest() {
      const [request, result] = await Promise.all([
        db
          .selectFrom('requests')
          .select((expression) => expression.fn.min('created_at').as('at'))
          .executeTakeFirst(),
        db
          .selectFrom('bench_results')
          .select((expression) => expression.fn.min('created_at').as('at'))
          .executeTakeFirst(),
      ]);
      const times = [request?.at, result?.at]
        .filter((at) => at !== null && at !== undefined)
        .map(Number);
      return times.length === 0 ? undefined : Math.min(...times);
    },
  };
}
