import { type Kysely, sql } from 'kysely';
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

/**
 * What the cost of one model's (and task's) requests over a period is made of, summed by the
 * database: the costs upstreams reported, and the tokens of requests that reported none (to
 * be priced from the catalog).
 */
export interface CostTotals {
  model: string;
  /** Null when the requests named no task. */
  task: string | null;
  requests: number;
  /** Sum of reported costs, USD. */
  reportedCostUsd: number;
  /** Requests with no reported cost but with token counts. */
  unpricedRequests: number;
  /** Prompt tokens of requests with no reported cost. */
  unpricedPromptTokens: number;
  /** Completion tokens of requests with no reported cost. */
  unpricedCompletionTokens: number;
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
  /**
   * The same requests as `requestsBetween`, oldest first, a page at a time: a reader that
   * folds a whole day holds one page in memory, not the day, and the event loop runs
   * between pages.
   */
  requestPages(
    from: number,
    to: number,
    options?: { includeBenchmarks?: boolean; pageSize?: number },
  ): AsyncIterable<MonitoredRequest[]>;
  /**
   * Cost totals per model and task of the requests answered in `[from, to)`: one row per
   * group however many requests there are (a busy day's request rows stay in the database).
   */
  costTotals(
    from: number,
    to: number,
    options?: { includeBenchmarks?: boolean },
  ): Promise<CostTotals[]>;
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

/** The request rows monitoring reads: answered by a model in `[from, to)`, oldest first (ties by id). */
function monitoredRequests(
  db: Kysely<DatabaseSchema>,
  from: number,
  to: number,
  options: { includeBenchmarks?: boolean },
) {
  return db
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
    .orderBy('id');
}

type MonitoredRow = Awaited<ReturnType<ReturnType<typeof monitoredRequests>['execute']>>[number];

function toMonitoredRequest(row: MonitoredRow): MonitoredRequest {
  const number = (value: number | null) => (value === null ? null : Number(value));
  return {
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
      const rows = await monitoredRequests(db, from, to, options).execute();
      return rows.map(toMonitoredRequest);
    },

    async *requestPages(from, to, options = {}) {
      const pageSize = options.pageSize ?? 5_000;
      let after: { createdAt: number; id: string } | undefined;
      for (;;) {
        const cursor = after;
        // Keyset paging on (created_at, id): each page starts where the last one ended, the
        // created_at index seeking straight there however deep into the day it is.
        const rows = await monitoredRequests(db, cursor?.createdAt ?? from, to, options)
          .$if(cursor !== undefined, (select) =>
            select.where((where) =>
              where.or([
                where('created_at', '>', cursor?.createdAt ?? 0),
                where('id', '>', cursor?.id ?? ''),
              ]),
            ),
          )
          .limit(pageSize)
          .execute();
        if (rows.length > 0) yield rows.map(toMonitoredRequest);
        const last = rows.at(-1);
        if (last === undefined || rows.length < pageSize) return;
        after = { createdAt: Number(last.created_at), id: last.id };
      }
    },

    async costTotals(from, to, options = {}) {
      // Sums of integers come back from PostgreSQL as strings; `null` sums nothing.
      type Total = number | string | null;
      const unpriced = sql`cost_usd is null`;
      const priceable = sql`(prompt_tokens is not null or completion_tokens is not null)`;
      const rows = await db
        .selectFrom('requests')
        .select([
          'model',
          'task',
          (expression) => expression.fn.countAll().as('requests'),
          sql<Total>`sum(cost_usd)`.as('reported_cost_usd'),
          sql<Total>`sum(case when ${unpriced} and ${priceable} then 1 else 0 end)`.as(
            'unpriced_requests',
          ),
          sql<Total>`sum(case when ${unpriced} then coalesce(prompt_tokens, 0) else 0 end)`.as(
            'unpriced_prompt_tokens',
          ),
          sql<Total>`sum(case when ${unpriced} then coalesce(completion_tokens, 0) else 0 end)`.as(
            'unpriced_completion_tokens',
          ),
        ])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .where('model', 'is not', null)
        .$if(options.includeBenchmarks !== true, (select) =>
          select.where('id', 'not like', `${benchmarkRequestPrefix}%`),
        )
        .groupBy(['model', 'task'])
        .execute();
      const number = (value: Total | bigint) => Number(value ?? 0);
      return rows.map((row) => ({
        model: row.model ?? '',
        task: row.task,
        requests: number(row.requests),
        reportedCostUsd: number(row.reported_cost_usd),
        unpricedRequests: number(row.unpriced_requests),
        unpricedPromptTokens: number(row.unpriced_prompt_tokens),
        unpricedCompletionTokens: number(row.unpriced_completion_tokens),
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
