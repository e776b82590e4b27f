/**
 * The benchmark and monitoring tables as Kysely sees them (`DatabaseSchema` in
 * `schema.ts` lists them). Internal to `storage/`. Times are epoch milliseconds,
 * flags 0/1 integers, JSON columns text. The README documents them for plain SQL.
 */

/** One row of `bench_runs`: one benchmark run. */
export interface BenchRunsTable {
  /** `run_<random>`. */
  id: string;
  created_at: number | bigint;
  /** Last status change or result, epoch milliseconds. */
  updated_at: number | bigint;
  /** When it completed (or failed), null while running or interrupted. */
  finished_at: number | bigint | null;
  /** `running`, `interrupted`, `completed` or `failed`. */
  status: string;
  /** JSON array of model names. */
  models: string;
  /** `--task`, when the run was limited to one. */
  task: string | null;
  /** `--suite` file, when one was given. */
  suite: string | null;
  /** Judge model, when one rated the answers. */
  judge_model: string | null;
  concurrency: number;
  /** Model × scenario pairs in the run. */
  total: number;
  /** JSON: the full plan (scenarios with their checks, settings), so a resume does the same work. */
  plan: string;
  /** Why it failed. */
  error: string | null;
}

/** One row of `bench_results`: one model's answer to one scenario in one run. */
export interface BenchResultsTable {
  /** `res_<random>`. */
  id: string;
  run_id: string;
  model: string;
  /** The model as the upstream named it in its answer, when it did. */
  model_version: string | null;
  scenario_id: string;
  suite: string;
  suite_version: number;
  task: string;
  /** 1 for a safety scenario. */
  safety: number;
  /** `answered` or `error`. */
  status: string;
  /** 1 when every check passed (and the judge, if any, gave 3 or more). */
  passed: number;
  /** Safety scenarios: 1 when every deterministic check passed; null otherwise. */
  safety_passed: number | null;
  /** 0–1. */
  quality: number;
  /** JSON array of check outcomes `{kind, passed, detail}`. */
  checks: string;
  judge_model: string | null;
  /** 1–5. */
  judge_score: number | null;
  judge_reasons: string | null;
  /** The model's answer. */
  answer: string | null;
  /** What went wrong, for `status = 'error'`. */
  error: string | null;
  latency_ms: number | null;
  first_token_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  tokens_per_second: number | null;
  cost_usd: number | null;
  /** Calls it took (retries included). */
  attempts: number;
  created_at: number | bigint;
}

/** One row of `metrics_daily`: one day (UTC) of one model and task, from live traffic or benchmarks. */
export interface MetricsDailyTable {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** `live` or `benchmark`. */
  source: string;
  model: string;
  /** The task, `''` when requests named none. */
  task: string;
  requests: number;
  errors: number;
  latency_ms_sum: number;
  /** JSON `{bucket: count}` of latencies (see `latency-histogram.ts`), mergeable across days. */
  latency_histogram: string;
  first_token_ms_sum: number;
  first_token_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Completion tokens of answers whose time is known, and that time: tokens/s = tokens / (ms / 1000). */
  throughput_tokens: number;
  throughput_ms: number;
  cost_usd: number;
  /** Benchmarks: scenario results, passes, safety scenarios, safety passes, summed quality. */
  scenarios: number;
  passed: number;
  safety_total: number;
  safety_passed: number;
  quality_sum: number;
  updated_at: number | bigint;
}

/** One row of `alerts`: a threshold crossed by one model (and task). */
export interface AlertsTable {
  /** `alert_<random>`. */
  id: string;
  /** The condition: `metric|model|task`; at most one open alert per key. */
  key: string;
  /** `p95_latency_ms`, `error_rate`, `safety_pass_rate` or `cost_per_day_usd`. */
  metric: string;
  model: string;
  task: string | null;
  /** The value that crossed the threshold (the latest, while open). */
  value: number;
  threshold: number;
  message: string;
  /** JSON: the suggestion `{kind, text, model?}`. */
  suggestion: string | null;
  /** `open` or `cleared`. */
  status: string;
  opened_at: number | bigint;
  last_seen_at: number | bigint;
  cleared_at: number | bigint | null;
  /** When the webhook accepted it. */
  notified_at: number | bigint | null;
  /** Why the webhook did not. */
  notify_error: string | null;
}
