import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Benchmarks and monitoring: `bench_runs` (one benchmark run and the plan it runs,
 * so a resumed run does exactly the same work), `bench_results` (one row per model
 * and scenario of a run, unique, so a resumed run never records one twice),
 * `metrics_daily` (daily rollups of live traffic and benchmark results) and `alerts`
 * (threshold alerts, open until their condition stops). Portable column types only.
 */
export const benchmarksMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('bench_runs')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('models', 'text', (column) => column.notNull())
      .addColumn('task', 'text')
      .addColumn('suite', 'text')
      .addColumn('judge_model', 'text')
      .addColumn('concurrency', 'integer', (column) => column.notNull())
      .addColumn('total', 'integer', (column) => column.notNull())
      .addColumn('plan', 'text', (column) => column.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('bench_runs_created_at_index')
      .on('bench_runs')
      .column('created_at')
      .execute();

    await db.schema
      .createTable('bench_results')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('run_id', 'text', (column) =>
        column.notNull().references('bench_runs.id').onDelete('cascade'),
      )
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('model_version', 'text')
      .addColumn('scenario_id', 'text', (column) => column.notNull())
      .addColumn('suite', 'text', (column) => column.notNull())
      .addColumn('suite_version', 'integer', (column) => column.notNull())
      .addColumn('task', 'text', (column) => column.notNull())
      .addColumn('safety', 'integer', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('passed', 'integer', (column) => column.notNull())
      .addColumn('safety_passed', 'integer')
      .addColumn('quality', 'double precision', (column) => column.notNull())
      .addColumn('checks', 'text', (column) => column.notNull())
      .addColumn('judge_model', 'text')
      .addColumn('judge_score', 'integer')
      .addColumn('judge_reasons', 'text')
      .addColumn('answer', 'text')
      .addColumn('error', 'text')
      .addColumn('latency_ms', 'double precision')
      .addColumn('first_token_ms', 'double precision')
      .addColumn('prompt_tokens', 'integer')
      .addColumn('completion_tokens', 'integer')
      .addColumn('tokens_per_second', 'double precision')
      .addColumn('cost_usd', 'double precision')
      .addColumn('attempts', 'integer', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .execute();
    // The guarantee behind "resumable without duplicates": one result per model and scenario of a run.
    await db.schema
      .createIndex('bench_results_run_model_scenario_index')
      .on('bench_results')
      .columns(['run_id', 'model', 'scenario_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('bench_results_model_task_created_at_index')
      .on('bench_results')
      .columns(['model', 'task', 'created_at'])
      .execute();

    await db.schema
      .createTable('metrics_daily')
      .addColumn('day', 'text', (column) => column.notNull())
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('task', 'text', (column) => column.notNull())
      .addColumn('requests', 'integer', (column) => column.notNull())
      .addColumn('errors', 'integer', (column) => column.notNull())
      .addColumn('latency_ms_sum', 'double precision', (column) => column.notNull())
      .addColumn('latency_histogram', 'text', (column) => column.notNull())
      .addColumn('first_token_ms_sum', 'double precision', (column) => column.notNull())
      .addColumn('first_token_count', 'integer', (column) => column.notNull())
      .addColumn('prompt_tokens', 'integer', (column) => column.notNull())
      .addColumn('completion_tokens', 'integer', (column) => column.notNull())
      .addColumn('throughput_tokens', 'integer', (column) => column.notNull())
      .addColumn('throughput_ms', 'double precision', (column) => column.notNull())
      .addColumn('cost_usd', 'double precision', (column) => column.notNull())
      .addColumn('scenarios', 'integer', (column) => column.notNull())
      .addColumn('passed', 'integer', (column) => column.notNull())
      .addColumn('safety_total', 'integer', (column) => column.notNull())
      .addColumn('safety_passed', 'integer', (column) => column.notNull())
      .addColumn('quality_sum', 'double precision', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('metrics_daily_primary_key', ['day', 'source', 'model', 'task'])
      .execute();

    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('key', 'text', (column) => column.notNull())
      .addColumn('metric', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('task', 'text')
      .addColumn('value', 'double precision', (column) => column.notNull())
      .addColumn('threshold', 'double precision', (column) => column.notNull())
      .addColumn('message', 'text', (column) => column.notNull())
      .addColumn('suggestion', 'text')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('opened_at', 'bigint', (column) => column.notNull())
      .addColumn('last_seen_at', 'bigint', (column) => column.notNull())
      .addColumn('cleared_at', 'bigint')
      .addColumn('notified_at', 'bigint')
      .addColumn('notify_error', 'text')
      .execute();
    // At most one open alert per condition, whoever evaluates (several replicas, CLI and server).
    await db.schema
      .createIndex('alerts_open_key_index')
      .on('alerts')
      .column('key')
      .unique()
      .where(sql.ref('status'), '=', 'open')
      .execute();
    await db.schema
      .createIndex('alerts_opened_at_index')
      .on('alerts')
      .column('opened_at')
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('alerts').execute();
    await db.schema.dropTable('metrics_daily').execute();
    await db.schema.dropTable('bench_results').execute();
    await db.schema.dropTable('bench_runs').execute();
  },
};
