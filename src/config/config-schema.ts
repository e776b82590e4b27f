import { z } from 'zod';
import { alertsConfigSchema, benchmarksConfigSchema } from '../benchmarking/benchmarks-config.js';
import { embeddedProviderFields } from '../providers/embedded-llama/embedded-config.js';
import { providerTypes } from '../providers/provider-registry.js';
import { resourcesConfigSchema } from '../resources/resources-config.js';
import { versionsConfigSchema } from '../versions/versions-config.js';

/** Provider ids become the first segment of model names, so keep them URL- and path-safe. */
const providerId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'use lower-case letters, digits, "-" or "_" (e.g. "openrouter", "local")',
  );

/** One configured upstream provider. */
export const providerConfigSchema = z
  .strictObject({
    id: providerId,
    // The registry is the one list of provider types.
    type: z.enum(providerTypes),
    /** Upstream base URL; each type has a default (OpenRouter's, Ollama's local port, ...). */
    baseUrl: z.url().optional(),
    /** Provider API key; write `${ENV_VAR}` to keep it out of the file. */
    // An empty value (`${OPENROUTER_API_KEY:-}` with the variable unset) means no key.
    apiKey: z.preprocess((key) => (key === '' ? undefined : key), z.string().optional()),
    /** Model ids, for providers that cannot list their own (or to restrict the list). */
    models: z.array(z.string().min(1)).optional(),
    /** Extra headers sent with every upstream request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Upstream request timeout in milliseconds (whole non-streamed call, or time to first byte). */
    timeoutMs: z.number().int().positive().optional(),
    /** `type: embedded` settings (models folder, context size, GPU layers, ...). */
    ...embeddedProviderFields,
  })
  .refine((provider) => provider.type !== 'openai-compatible' || provider.baseUrl !== undefined, {
    message: 'an openai-compatible provider needs a baseUrl (e.g. http://127.0.0.1:8080/v1)',
    path: ['baseUrl'],
  });

/** How long a model may take before the chain moves on to the next one, in milliseconds. */
const deadlinesSchema = z.strictObject({
  /** Until the first streamed token. */
  firstTokenMs: z.number().int().positive().default(2_000),
  /** Between two streamed chunks. */
  stallMs: z.number().int().positive().default(2_000),
  /** For a whole non-streamed answer. */
  completionMs: z.number().int().positive().default(30_000),
});

const routeName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" or "_" (e.g. "story")');

/** A named fallback chain, addressed by clients as `model: "route:<name>"`. */
const routeSchema = z.strictObject({
  /** Models in order of preference, each `<providerId>/<modelId>`. */
  models: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9_-]*\/.+/, 'name a model as <providerId>/<modelId>'))
    .min(1, 'a route needs at least one model'),
  /** Overrides of `resilience.deadlines` for this route. */
  deadlines: deadlinesSchema.partial().optional(),
});

/** Rate limits and budgets of one user's chat requests; a missing field has no limit. */
export const usageLimitsSchema = z.strictObject({
  /** Chat requests per minute. */
  requestsPerMinute: z.number().int().min(0).optional(),
  /** Chat requests per UTC day. */
  requestsPerDay: z.number().int().min(0).optional(),
  /** Prompt plus completion tokens per UTC day (counted after each answer). */
  tokensPerDay: z.number().int().min(0).optional(),
  /** Spend per UTC day in USD (reported by the upstream, else estimated from catalog prices). */
  costPerDayUsd: z.number().min(0).optional(),
});

/** The whole `config.yaml`. Every field has a default, so an empty file is valid. */
export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8787),
      /** Largest request body accepted, in bytes. */
      bodyLimitBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Bearer tokens that may call the data plane (`/v1/*`). Empty: open, loopback only. */
      apiKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
    })
    .prefault({}),
  /** Limits of users' chat requests: `users` applies to every user without their own. */
  limits: z
    .strictObject({
      /** The default limits of every user (admins and client keys have none). */
      users: usageLimitsSchema.prefault({}),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** Where the gateway keeps its data: the SQLite file in the home folder, or a shared PostgreSQL. */
  database: z
    .strictObject({
      /**
       * `postgres://user:password@host:5432/database`: several replicas share one PostgreSQL
       * database. Unset (or empty, as `${DATABASE_URL:-}` gives): the embedded SQLite file.
       */
      url: z.preprocess(
        (url) => (url === '' ? undefined : url),
        z
          .string()
          .regex(
            /^postgres(ql)?:\/\//i,
            'use a postgres:// URL (e.g. postgres://tta:${TTA_DB_PASSWORD}@db.internal:5432/tta_models), or leave database.url out for the embedded SQLite file',
          )
          .optional(),
      ),
      /** Most PostgreSQL connections one process opens. */
      poolSize: z.number().int().min(2).max(200).default(10),
      /**
       * SQLite: how long a write waits for another process's lock (the CLI, a backup)
       * before the request gets a 503 "database unavailable", milliseconds. The server
       * keeps serving while it waits.
       */
      busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
      /**
       * Days of request-log rows (and users' daily counters) kept. Older rows are deleted
       * every hour while serving, once their days are in the daily rollups, so the
       * dashboards and `/api/metrics` keep their figures. A request row takes about 220
       * bytes: at 10 requests a second, a year of them would be 70 GB.
       */
      keepRequestsDays: z.number().int().min(1).max(3_650).default(90),
    })
    .prefault({}),
  providers: z.array(providerConfigSchema).default([]),
  /** The model catalog: how often provider catalogs are synced. */
  catalog: z
    .strictObject({
      /** Minutes between the server's background syncs of every catalog; 0 turns them off. */
      syncIntervalMinutes: z.number().min(0).default(360),
      /** A remote catalog (OpenRouter) older than this is synced again when browsed, in minutes. */
      maxAgeMinutes: z.number().positive().default(360),
    })
    .prefault({}),
  /** Limits for local models and the memory watch. */
  resources: resourcesConfigSchema.prefault({}),
  /** Benchmark runs: concurrency, retries, judge model, rate limits. */
  benchmarks: benchmarksConfigSchema.prefault({}),
  /** Threshold alerts per model and task, and the webhook they are POSTed to. */
  alerts: alertsConfigSchema.prefault({}),
  /** Model versions: what promotion demands (notices go to `alerts.webhookUrl`). */
  versions: versionsConfigSchema.prefault({}),
  routes: z.record(routeName, routeSchema).default({}),
  /** Task-aware selection (`model: "auto"` with a task, or `task:<name>`). */
  selection: z
    .strictObject({
      /** Share of a task's safety scenarios a model must pass to serve a safety-critical task. */
      safetyThreshold: z.number().min(0).max(1).default(0.9),
      /** Trust never-benchmarked models with safety-critical tasks (not advised). */
      allowUnbenchmarkedForSafety: z.boolean().default(false),
      /** Providers selection never chooses. */
      excludeProviders: z.array(z.string()).default([]),
      /** How many ranked models make a task's fallback chain. */
      chainLength: z.number().int().min(1).max(10).default(3),
      /** How long a decision is reused per (task, preferences), ms; live health shows after this. */
      cacheMs: z.number().int().min(0).default(5_000),
      /** Task profiles added or replaced (same shape as data/task-profiles.yaml's `tasks`). */
      tasks: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  resilience: z
    .strictObject({
      /** Deadlines while a fallback is left to switch to (defaults leave room for two switches in 5 s). */
      deadlines: deadlinesSchema.prefault({}),
      /** When a model's circuit breaker opens, and how long until it is probed again. */
      breaker: z
        .strictObject({
          failuresToOpen: z.number().int().positive().default(3),
          halfOpenAfterMs: z.number().int().positive().default(15_000),
        })
        .prefault({}),
      /** When a model is demoted behind healthy ones. */
      degradation: z
        .strictObject({
          errorRate: z.number().min(0).max(1).default(0.5),
          p95LatencyMs: z.number().int().positive().default(20_000),
          minimumSamples: z.number().int().positive().default(10),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type Deadlines = z.infer<typeof deadlinesSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type GatewayConfig = z.infer<typeof configSchema>;
