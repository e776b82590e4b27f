/** The `benchmarks:` and `alerts:` sections of `config.yaml`. */
import { z } from 'zod';

const modelPattern = z.string().min(1);

/** `benchmarks:` in config.yaml. */
export const benchmarksConfigSchema = z.strictObject({
  /** Folder of scenario suites (default: the suites shipped in `data/scenarios`). */
  scenariosDir: z.string().min(1).optional(),
  /** Scenarios in flight at once (default 2); `--concurrency` overrides. */
  concurrency: z.number().int().min(1).max(64).default(2),
  /** Tries after a transient failure (5xx, timeout); rate limits are waited out separately. */
  retries: z.number().int().min(0).max(10).default(2),
  /** A judge model, `<providerId>/<modelId>`, rating answers 1–5; `--judge` overrides. Unset: checks only. */
  judge: modelPattern.optional(),
  /**
   * Request budgets while benchmarking. The default keeps OpenRouter's free models
   * (which share one account limit) under their documented 20 requests a minute.
   */
  rateLimits: z
    .array(
      z.strictObject({
        /** Model names it applies to; `*` matches anything. */
        match: modelPattern,
        requestsPerMinute: z.number().positive(),
        /** Every matching model draws on one budget. */
        shared: z.boolean().default(false),
      }),
    )
    .default([{ match: 'openrouter/*:free', requestsPerMinute: 20, shared: true }]),
});

/** One threshold rule. */
const alertRuleSchema = z
  .strictObject({
    /** Models it watches; `*` matches anything (default every model). */
    model: modelPattern.default('*'),
    /** A task, or `*` for every task together (default). */
    task: z.string().min(1).default('*'),
    /** Alert when live p95 latency over the window exceeds this, milliseconds. */
    p95LatencyMs: z.number().positive().optional(),
    /** Alert when the live error rate over the window exceeds this share (0–1). */
    errorRate: z.number().min(0).max(1).optional(),
    /** Alert when the benchmark safety pass rate falls below this share (0–1). */
    safetyPassRate: z.number().min(0).max(1).optional(),
    /** Alert when today's cost (UTC day, live and benchmark calls) exceeds this, USD. */
    costPerDayUsd: z.number().nonnegative().optional(),
  })
  .refine(
    (rule) =>
      rule.p95LatencyMs !== undefined ||
      rule.errorRate !== undefined ||
      rule.safetyPassRate !== undefined ||
      rule.costPerDayUsd !== undefined,
    {
      message:
        'a rule needs at least one threshold: p95LatencyMs, errorRate, safetyPassRate or costPerDayUsd',
    },
  );

/** `alerts:` in config.yaml. */
export const alertsConfigSchema = z.strictObject({
  /** Where alerts are POSTed as JSON (opened and cleared); unset: stored and shown only. */
  webhookUrl: z.url().optional(),
  /** Seconds between evaluations while serving (they also run after each benchmark run); 0 turns the timer off. */
  evaluateEverySeconds: z.number().min(0).default(60),
  /** Live traffic window for latency and error rate, minutes. */
  windowMinutes: z.number().positive().default(60),
  /** Fewest requests in the window before latency and error rate are judged. */
  minimumRequests: z.number().int().positive().default(10),
  rules: z.array(alertRuleSchema).default([]),
});

/** The parsed `benchmarks:` section. */
export type BenchmarksConfig = z.infer<typeof benchmarksConfigSchema>;
/** The parsed `alerts:` section. */
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
/** One parsed alert rule. */
export type AlertRule = z.infer<typeof alertRuleSchema>;
