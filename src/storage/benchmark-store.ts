import type { Kysely } from 'kysely';
import type { BenchResultsTable, BenchRunsTable } from './benchmark-tables.js';
import type { DatabaseSchema } from './schema.js';

/** Where a benchmark run stands. */
export type BenchRunStatus = 'running' | 'interrupted' | 'completed' | 'failed';

/** A benchmark run as stored. */
export interface BenchRunRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  status: BenchRunStatus;
  models: string[];
  task: string | null;
  suite: string | null;
  judgeModel: string | null;
  concurrency: number;
  /** Model × scenario pairs. */
  total: number;
  /** The plan, as the runner wrote it (JSON-parsed; the runner validates it). */
  plan: unknown;
  error: string | null;
}

/** A run with how far it got. */
export interface BenchRunSummary extends BenchRunRecord {
  /** Results recorded. */
  recorded: number;
  /** Results whose model gave no answer (errors). */
  errors: number;
  /** Results that passed. */
  passed: number;
}

/** One model's result on one scenario of a run. */
export interface BenchResultRecord {
  id: string;
  runId: string;
  model: string;
  modelVersion: string | null;
  scenarioId: string;
  suite: string;
  suiteVersion: number;
  task: string;
  safety: boolean;
  status: 'answered' | 'error';
  passed: boolean;
  safetyPassed: boolean | null;
  quality: number;
  /** Check outcomes, as the scorer wrote them. */
  checks: unknown;
  judgeModel: string | null;
  judgeScore: number | null;
  judgeReasons: string | null;
  answer: string | null;
  error: string | null;
  latencyMs: number | null;
  firstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  tokensPerSecond: number | null;
  costUsd: number | null;
  attempts: number;
  createdAt: number;
}

/** Which results to read. */
export interface BenchResultQuery {
  runId?: string;
  models?: readonly string[];
  task?: string;
  /** Results at or after this time, epoch milliseconds. */
  since?: number;
  /** Results before this time, epoch milliseconds. */
  until?: number;
  /** Leave the answer text out (lists, aggregates). */
  withoutAnswers?: boolean;
}

/** Benchmark runs and their results. */
export interface BenchmarkStore {
  /** Stores a new run. */
  createRun(run: Omit<BenchRunRecord, 'updatedAt' | 'finishedAt' | 'error'>): Promise<void>;
  getRun(id: string): Promise<BenchRunSummary | undefined>;
  /** Newest first. */
  listRuns(query?: { limit?: number }): Promise<BenchRunSummary[]>;
  /** Sets a run's status (and `finishedAt` for `completed`/`failed`). */
  setRunStatus(id: string, status: BenchRunStatus, error?: string | null): Promise<void>;
  /**
   * Records one result. Returns false (and changes nothing) when the run already has a
   * result for that model and scenario: a resumed run can never record one twice.
   */
  addResult(result: BenchResultRecord): Promise<boolean>;
  /** Results, oldest first. */
  results(query?: BenchResultQuery): Promise<BenchResultRecord[]>;
  /** `model \u0000 scenarioId` of every result a run has. */
  recordedKeys(runId: string): Promise<Set<string>>;
}

/** The key {@link BenchmarkStore.recordedKeys} uses for a model and scenario. */
export function resultKey(model: string, scenarioId: string): string {
  return `${model}\u0000${scenarioId}`;
}

function toRun(row: BenchRunsTable): BenchRunRecord {
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    status: row.status as BenchRunStatus,
    models: JSON.parse(row.models) as string[],
    task: row.task,
    suite: row.suite,
    judgeModel: row.judge_model,
    concurrency: row.concurrency,
    total: row.total,
    plan: JSON.parse(row.plan) as unknown,
    error: row.error,
  };
}

function toResult(
  row: Partial<BenchResultsTable> & Omit<BenchResultsTable, 'answer'>,
): BenchResultRecord {
  const number = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    runId: row.run_id,
    model: row.model,
    modelVersion: row.model_version,
    scenarioId: row.scenario_id,
    suite: row.suite,
    suiteVersion: row.suite_version,
    task: row.task,
    safety: row.safety === 1,
    status: row.status === 'error' ? 'error' : 'answered',
    passed: row.passed === 1,
    safetyPassed: row.safety_passed === null ? null : row.safety_passed === 1,
    quality: Number(row.quality),
    checks: JSON.parse(row.checks) as unknown,
    judgeModel: row.judge_model,
    judgeScore: number(row.judge_score),
    judgeReasons: row.judge_reasons,
    answer: row.answer ?? null,
    error: row.error,
    latencyMs: number(row.latency_ms),
    firstTokenMs: number(row.first_token_ms),
    promptTokens: number(row.prompt_tokens),
    completionTokens: number(row.completion_tokens),
    tokensPerSecond: number(row.tokens_per_second),
    costUsd: number(row.cost_usd),
    attempts: row.attempts,
    createdAt: Number(row.created_at),
  };
}

/** A finite number or null: NaN and infinities never reach a column. */
function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The benchmark store over the `bench_runs` and `bench_results` tables. */
export function createBenchmarkStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
): BenchmarkStore {
  async function summarise(runs: BenchRunsTable[]): Promise<BenchRunSummary[]> {
    if (runs.length === 0) return [];
    const counts = await db
      .selectFrom('bench_results')
      .select((expression) => [
        'run_id',
        expression.fn.countAll().as('recorded'),
        expression.fn
          .sum(expression.case().when('status', '=', 'error').then(1).else(0).end())
          .as('errors'),
        expression.fn.sum('passed').as('passed'),
      ])
      .where(
        'run_id',
        'in',
        runs.map((run) => run.id),
      )
      .groupBy('run_id')
      .execute();
    const byRun = new Map(counts.map((count) => [count.run_id, count]));
    return runs.map((row) => {
      const count = byRun.get(row.id);
      return {
        ...toRun(row),
        recorded: Number(count?.recorded ?? 0),
        errors: Number(count?.errors ?? 0),
        passed: Number(count?.passed ?? 0),
      };
    });
  }

  return {
    async createRun(run) {
      const at = Math.round(now());
      await db
        .insertInto('bench_runs')
        .values({
          id: run.id,
          created_at: run.createdAt,
          updated_at: at,
          finished_at: null,
          status: run.status,
          models: JSON.stringify(run.models),
          task: run.task,
          suite: run.suite,
          judge_model: run.judgeModel,
          concurrency: run.concurrency,
          total: run.total,
          plan: JSON.stringify(run.plan),
          error: null,
        })
        .execute();
    },

    async getRun(id) {
      const row = await db
        .selectFrom('bench_runs')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? (await summarise([row]))[0] : undefined;
    },

    async listRuns(query = {}) {
      const rows = await db
        .selectFrom('bench_runs')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 20, 1), 500))
        .execute();
      return summarise(rows);
    },

    async setRunStatus(id, status, error = null) {
      const at = Math.round(now());
      const finished = status === 'completed' || status === 'failed';
      await db
        .updateTable('bench_runs')
        .set({ status, updated_at: at, finished_at: finished ? at : null, error })
        .where('id', '=', id)
        .execute();
    },

    async addResult(result) {
      const inserted = await db
        .insertInto('bench_results')
        .values({
          id: result.id,
          run_id: result.runId,
          model: result.model,
          model_version: result.modelVersion,
          scenario_id: result.scenarioId,
          suite: result.suite,
          suite_version: result.suiteVersion,
          task: result.task,
          safety: result.safety ? 1 : 0,
          status: result.status,
          passed: result.passed ? 1 : 0,
          safety_passed: result.safetyPassed === null ? null : result.safetyPassed ? 1 : 0,
          quality: finite(result.quality) ?? 0,
          checks: JSON.stringify(result.checks),
          judge_model: result.judgeModel,
          judge_score: result.judgeScore,
          judge_reasons: result.judgeReasons,
          answer: result.answer,
          error: result.error,
          latency_ms: finite(result.latencyMs),
          first_token_ms: finite(result.firstTokenMs),
          prompt_tokens: finite(result.promptTokens),
          completion_tokens: finite(result.completionTokens),
          tokens_per_second: finite(result.tokensPerSecond),
          cost_usd: finite(result.costUsd),
          attempts: result.attempts,
          created_at: result.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['run_id', 'model', 'scenario_id']).doNothing())
        .executeTakeFirst();
      const added = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      if (added) {
        await db
          .updateTable('bench_runs')
          .set({ updated_at: Math.round(now()) })
          .where('id', '=', result.runId)
          .execute();
      }
      return added;
    },

    async results(query = {}) {
      const rows = await db
        .selectFrom('bench_results')
        .$if(query.withoutAnswers !== true, (select) => select.selectAll())
        .$if(query.withoutAnswers === true, (select) =>
          select.select([
            'id',
            'run_id',
            'model',
            'model_version',
            'scenario_id',
            'suite',
            'suite_version',
            'task',
            'safety',
            'status',
            'passed',
            'safety_passed',
            'quality',
            'checks',
            'judge_model',
            'judge_score',
            'judge_reasons',
            'error',
            'latency_ms',
            'first_token_ms',
            'prompt_tokens',
            'completion_tokens',
            'tokens_per_second',
            'cost_usd',
            'attempts',
            'created_at',
          ]),
        )
        .$if(query.runId !== undefined, (select) => select.where('run_id', '=', query.runId ?? ''))
        .$if(query.models !== undefined && query.models.length > 0, (select) =>
          select.where('model', 'in', [...(query.models ?? [])]),
        )
        .$if(query.task !== undefined, (select) => select.where('task', '=', query.task ?? ''))
        .$if(query.since !== undefined, (select) =>
          select.where('created_at', '>=', query.since ?? 0),
        )
        .$if(query.until !== undefined, (select) =>
          select.where('created_at', '<', query.until ?? 0),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => toResult(row as BenchResultsTable));
    },

    async recordedKeys(runId) {
      const rows = await db
        .selectFrom('bench_results')
        .select(['model', 'scenario_id'])
        .where('run_id', '=', runId)
        .execute();
      return new Set(rows.map((row) => resultKey(row.model, row.scenario_id)));
    },
  };
}
