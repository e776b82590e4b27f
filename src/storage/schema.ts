/**
 * The tables as Kysely sees them. Internal to `storage/`: the rest of the code
 * sees the camel-cased records that the repositories map these rows to.
 *
 * Column types are chosen to mean the same in SQLite and PostgreSQL: times are
 * epoch milliseconds (`bigint`), flags are 0/1 integers, fractions are
 * `double precision`.
 */

import type { Generated } from 'kysely';
import type {
  AlertsTable,
  BenchResultsTable,
  BenchRunsTable,
  MetricsDailyTable,
} from './benchmark-tables.js';

/** One row of `requests`: one answered (or failed) chat request. */
export interface RequestsTable {
  /** The gateway's request id. */
  id: string;
  /** When the request arrived, epoch milliseconds. */
  created_at: number;
  /** Configured provider that answered, or null when none was reached. */
  provider_id: string | null;
  /** `<provider>/<model>` that answered, or null when none did. */
  model: string | null;
  /** The model the client asked for, as it asked. */
  requested_model: string;
  /** Task profile the client named, if any. */
  task: string | null;
  /** 1 when the client asked for a stream, 0 otherwise. */
  stream: number;
  /** HTTP status the gateway answered with. */
  status: number;
  /** Error code of a failed request, null on success. */
  error_code: string | null;
  /** Total time to answer, milliseconds. */
  latency_ms: number;
  /** Time to the first streamed token, milliseconds. */
  first_token_ms: number | null;
  /** Prompt tokens, when known. */
  prompt_tokens: number | null;
  /** Completion tokens, when known. */
  completion_tokens: number | null;
  /** Cost in USD, when known. */
  cost_usd: number | null;
  /** Who asked (API key label, user agent), if known. */
  client: string | null;
}

/** One row of `settings`: a small named fact such as the admin token hash. */
export interface SettingsTable {
  /** Setting name. */
  key: string;
  /** Setting value. */
  value: string;
  /** Last write, epoch milliseconds. */
  updated_at: number;
}

/** One row of `users`: someone who holds a gateway token and may own provider keys. */
export interface UsersTable {
  /** `usr_<random>`. */
  id: string;
  /** Unique display name. */
  name: string;
  /** SHA-256 hex of the user's gateway token (never the token). */
  token_hash: string;
  /** `admin` or `user`. */
  role: string;
  /** When the user was added, epoch milliseconds. */
  created_at: number;
  /** When the user was revoked, epoch milliseconds; null while active. */
  revoked_at: number | null;
  /** When the user's token stops working, epoch milliseconds; null: never (migration 0008). */
  expires_at: number | null;
  /** The user's own limits over `limits.users` of config.yaml, as JSON; null: none (0008). */
  limits: string | null;
}

/** One row of `api_keys`: a provider API key, sealed by the key vault. */
export interface ApiKeysTable {
  /** `key_<random>`. */
  id: string;
  /** A user id, or `operator` for shared provider keys. */
  owner: string;
  /** The configured provider id the key is for, e.g. `openrouter`. */
  provider_id: string;
  /** Free-text label chosen by the owner. */
  label: string | null;
  /** The secret's last four characters, for recognising it. */
  last4: string;
  /** The sealed secret (the vault's versioned envelope); never the plain secret. */
  sealed: string;
  /** When the key was added, epoch milliseconds. */
  created_at: number;
  /** When the key was last used for an upstream call, epoch milliseconds. */
  last_used_at: number | null;
  /** `unchecked`, `valid`, `invalid`, `out_of_credit`, `rate_limited` or `unreachable`. */
  status: string;
  /** What the last check said, and what to do about it. */
  status_message: string | null;
  /** When the status was last set, epoch milliseconds. */
  checked_at: number | null;
}

/** One row of `catalog_models`: one model of a provider's last good listing. */
export interface CatalogModelsTable {
  /** Configured provider id. */
  provider_id: string;
  /** The provider's own model id. */
  model_id: string;
  /** Where the provider listed it (0 first), to keep its order. */
  position: number;
  /** The normalised model card, JSON. */
  card: string;
  /** The provider's own entry, JSON, every field kept; null when it had none. */
  raw: string | null;
  /** When a sync first listed the model, epoch milliseconds. */
  first_seen_at: number;
  /** When the row was last written by a good sync, epoch milliseconds. */
  updated_at: number;
}

/** One row of `catalog_syncs`: one attempt to sync one provider's catalog. */
export interface CatalogSyncsTable {
  /** `sync_<random>`. */
  id: string;
  /** Configured provider id. */
  provider_id: string;
  /** When the attempt started, epoch milliseconds. */
  started_at: number;
  /** When it ended, epoch milliseconds. */
  finished_at: number;
  /** `succeeded`, `failed` or `rejected`. */
  status: string;
  /** Models in the download (for a good sync: in the catalog now). */
  models: number;
  /** Models new since the last good sync. */
  added: number;
  /** Models whose card changed. */
  changed: number;
  /** Models gone since the last good sync. */
  removed: number;
  /** Entries of the download that could not be read. */
  skipped: number;
  /** Why it failed or was rejected. */
  error: string | null;
}

/** `incidents`: what the resilience layer did about failing models. */
export interface IncidentsTable {
  id: string;
  at: number | bigint;
  model: string;
  kind: string;
  cause: string;
  action: string;
  request_id: string | null;
  session_id: string | null;
}

/** `sessions`: players' conversations, their pinned model and switch history (JSON). */
export interface SessionsTable {
  id: string;
  owner: string;
  requested_model: string;
  pinned_model: string | null;
  turns: number;
  history: string;
  created_at: number | bigint;
  updated_at: number | bigint;
  /** The model version the session started with or moved to (JSON), null before its first answer. */
  model_version?: string | null;
  /** Writes the row has seen; a write names the revision it read (optimistic concurrency). */
  revision: number;
}

/** `model_versions`: every version of every model seen (identity and card facts as JSON). */
export interface ModelVersionsTable {
  id: string;
  model: string;
  provider_id: string;
  version_key: string;
  label: string;
  facts: string;
  first_seen_at: number | bigint;
  last_seen_at: number | bigint;
  /** 1 while the provider serves it. */
  current: number;
  retired_at: number | bigint | null;
  previous_id: string | null;
  change_summary: string | null;
}

/** `version_notices`: change, removal, deprecation and conflict notices (changes and dependents as JSON). */
export interface VersionNoticesTable {
  id: string;
  at: number | bigint;
  model: string;
  kind: string;
  severity: string;
  version_id: string | null;
  previous_version_id: string | null;
  summary: string;
  changes: string;
  dependents: string;
  /** Unique: one notice per change, however many processes saw it. */
  dedupe_key: string;
  delivery: string;
  delivery_error: string | null;
}

/** `version_pins`: every pin of a route or alias to a model version; one active per subject. */
export interface VersionPinsTable {
  id: string;
  subject: string;
  model: string;
  version_id: string;
  action: string;
  at: number | bigint;
  actor: string;
  reason: string;
  previous_pin_id: string | null;
  active: number;
}

/** `audit`: who changed what, when and why (detail as JSON). */
export interface AuditTable {
  id: string;
  at: number | bigint;
  actor: string;
  channel: string;
  action: string;
  subject: string;
  reason: string;
  detail: string;
}

/** `user_usage`: one user's counters for one UTC day, incremented atomically (migration 0008). */
export interface UserUsageTable {
  user_id: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  requests: number;
  tokens: number;
  cost_usd: number;
  /** Start of the minute `minute_requests` counts, epoch milliseconds. */
  minute_start: number;
  minute_requests: number;
}

/** `health_events`: what one replica saw of a model's health, for the others (migration 0009). */
export interface HealthEventsTable {
  /** Increasing id; readers continue after the last one they read. */
  id: Generated<number>;
  /** The replica that saw it. */
  replica: string;
  model: string;
  /** `opened` (its breaker), `closed` (it answered again) or `cooldown` (`Retry-After`). */
  kind: string;
  /** When, epoch milliseconds (the writing replica's clock). */
  at: number;
  /** How long it holds from `at`, milliseconds (0 for `closed`). */
  duration_ms: number;
  cause: string;
}

/** Every table the repositories use. */
export interface DatabaseSchema {
  /** Switches, breaker changes, key invalidations. */
  incidents: IncidentsTable;
  /** Players' sessions. */
  sessions: SessionsTable;
  /** The request log. */
  requests: RequestsTable;
  /** Small key/value facts. */
  settings: SettingsTable;
  /** Gateway users. */
  users: UsersTable;
  /** Sealed provider API keys. */
  api_keys: ApiKeysTable;
  /** The model catalog: each provider's last good listing. */
  catalog_models: CatalogModelsTable;
  /** Every catalog sync attempt. */
  catalog_syncs: CatalogSyncsTable;
  /** Benchmark runs and their plans. */
  bench_runs: BenchRunsTable;
  /** One result per model and scenario of a run. */
  bench_results: BenchResultsTable;
  /** Daily rollups of live traffic and benchmark results. */
  metrics_daily: MetricsDailyTable;
  /** Threshold alerts. */
  alerts: AlertsTable;
  /** Every model version seen. */
  model_versions: ModelVersionsTable;
  /** Version change, removal, deprecation and conflict notices. */
  version_notices: VersionNoticesTable;
  /** Pins of routes and aliases to model versions. */
  version_pins: VersionPinsTable;
  /** Who changed what, when and why. */
  audit: AuditTable;
  /** Per-user, per-day usage counters (rate limits and budgets). */
  user_usage: UserUsageTable;
  /** Breaker and cooldown events shared between replicas. */
  health_events: HealthEventsTable;
}
