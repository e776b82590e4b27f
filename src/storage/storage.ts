/**
 * The storage face the rest of the gateway sees. Types only: nothing here names
 * the database driver or the query builder.
 */
import type { AlertStore } from './alert-store.js';
import type { ApiKeyStore } from './api-keys.js';
import type { AuditLog } from './audit-log.js';
import type { BenchmarkStore } from './benchmark-store.js';
import type { ChangeFeed } from './change-feed.js';
import type { HealthEvents } from './health-events.js';
import type { Incidents } from './incidents.js';
import type { MetricsStore } from './metrics-store.js';
import type { ModelCatalogStore } from './model-catalog-store.js';
import type { ModelVersionStore } from './model-versions-store.js';
import type { RequestLog } from './request-log-types.js';
import type { Sessions } from './sessions.js';
import type { Settings } from './settings.js';
import type { UserUsageStore } from './user-usage.js';
import type { Users } from './users.js';
import type { StorageDialect } from './write-lock.js';

/** What happened to one migration when the database was opened. */
export interface MigrationResult {
  /** Migration name, e.g. `0001-initial`. */
  name: string;
  /**
   * `applied`: ran now. `already-applied`: ran on an earlier open.
   * `failed`: threw (its error is the `MigrationError`'s cause).
   * `rolled-back`: ran now, then undone because a later one failed.
   * `not-run`: after the failing one, never started.
   */
  status: 'applied' | 'already-applied' | 'failed' | 'rolled-back' | 'not-run';
}

/** The database behind a narrow interface. */
export interface Storage {
  /** `sqlite` (one process) or `postgres` (possibly several replicas sharing it). */
  readonly dialect: StorageDialect;
  /** The request log: batched writes, recent requests, per-model summaries. */
  readonly requests: RequestLog;
  /** Small named string values. */
  readonly settings: Settings;
  /** Sealed provider API keys (the key vault's rows; never a plain secret). */
  readonly keys: ApiKeyStore;
  /** Gateway users, who own keys. */
  readonly users: Users;
  /** Each user's requests, tokens and spend per UTC day (rate limits and budgets). */
  readonly usage: UserUsageStore;
  /** What the resilience layer did about failing models. */
  readonly incidents: Incidents;
  /** Players' sessions: pinned model and switch history. */
  readonly sessions: Sessions;
  /** The model catalog: each provider's last good listing and every sync attempt. */
  readonly catalog: ModelCatalogStore;
  /** Model versions, their notices and pins. */
  readonly versions: ModelVersionStore;
  /** Who changed what, when and why. */
  readonly audit: AuditLog;
  /** Benchmark runs and their results. */
  readonly benchmarks: BenchmarkStore;
  /** Daily rollups of live traffic and benchmarks; the request log read for monitoring. */
  readonly metrics: MetricsStore;
  /** Threshold alerts. */
  readonly alerts: AlertStore;
  /** Breaker and cooldown events replicas tell each other (see `resilience/shared-health.ts`). */
  readonly healthEvents: HealthEvents;
  /** Other processes' writes, pushed as they commit (PostgreSQL); silent on SQLite. */
  readonly changes: ChangeFeed;
  /** Every known migration and what this open did with it, in order. */
  readonly migrations: readonly MigrationResult[];
  /** True when the database answers a trivial query; for readiness probes. Never throws. */
  ping(): Promise<boolean>;
  /** Flushes the request log, then closes the database. Safe to call twice. */
  close(): Promise<void>;
}
