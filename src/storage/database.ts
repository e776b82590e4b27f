import { Kysely, sql } from 'kysely';
import { createAlertStore } from './alert-store.js';
import { createApiKeyStore } from './api-keys.js';
import { createAuditLog } from './audit-log.js';
import { createBenchmarkStore } from './benchmark-store.js';
import { createIncidents } from './incidents.js';
import { createMetricsStore } from './metrics-store.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { allMigrations } from './migrations/all-migrations.js';
import { createModelCatalogStore } from './model-catalog-store.js';
import { createModelVersionStore } from './model-versions-store.js';
import { createRequestLog, type RequestLogOptions } from './request-log.js';
import { createRequestQueries } from './request-queries.js';
import type { DatabaseSchema } from './schema.js';
import { createSessions } from './sessions.js';
import { createSettings } from './settings.js';
import { createSqliteDialect } from './sqlite-dialect.js';
import type { Storage } from './storage.js';
import { createUsers } from './users.js';

export type { Storage } from './storage.js';

/** Where the database lives and how the request log batches. */
export interface StorageOptions extends RequestLogOptions {
  /** SQLite file path (its folder is created), or `:memory:`. */
  path: string;
  /** How long a write waits for another connection's lock, milliseconds (default 5,000). */
  busyTimeoutMs?: number;
  /** The clock, epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Opens the database, applies pending migrations (all or none), and returns the
 * storage face. Throws `MigrationError` naming the failing migration, with the
 * database left as it was; the connection is closed before the throw.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const now = options.now ?? Date.now;
  let dialect: ReturnType<typeof createSqliteDialect>;
  try {
    dialect = createSqliteDialect({
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot open the database at ${options.path}: ${reason}`, { cause });
  }
  const db = new Kysely<DatabaseSchema>({ dialect });

  let migrations: Storage['migrations'];
  try {
    migrations = await migrateToLatest(db as Kysely<unknown>, allMigrations);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const requests = createRequestLog({ ...options, queries: createRequestQueries(db), now });
  const settings = createSettings(db, now);
  const keys = createApiKeyStore(db, now);
  const users = createUsers(db, now);
  const incidents = createIncidents(db, now);
  const sessions = createSessions(db);
  const catalog = createModelCatalogStore(db, now);
  const versions = createModelVersionStore(db, now);
  const audit = createAuditLog(db, now);
  const benchmarks = createBenchmarkStore(db, now);
  const metrics = createMetricsStore(db, now);
  const alerts = createAlertStore(db, now);
  let closing: Promise<void> | undefined;

  return {
    requests,
    settings,
    keys,
    users,
    incidents,
    sessions,
    catalog,
    versions,
    audit,
    benchmarks,
    metrics,
    alerts,
    migrations,
    async ping() {
      if (closing) return false;
      try {
        const result = await sql<{ ok: number }>`select 1 as ok`.execute(db);
        return Number(result.rows[0]?.ok) === 1;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= (async () => {
        try {
          await requests.close();
        } finally {
          await db.destroy();
        }
      })();
      return closing;
    },
  };
}
