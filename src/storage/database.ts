import { Kysely, sql } from 'kysely';
import { createAlertStore } from './alert-store.js';
import { createApiKeyStore } from './api-keys.js';
import { createAuditLog } from './audit-log.js';
import { createBenchmarkStore } from './benchmark-store.js';
import { createPostgresChangeFeed, silentChangeFeed } from './change-feed.js';
import { createHealthEvents } from './health-events.js';
import { createIncidents } from './incidents.js';
import { createMetricsStore } from './metrics-store.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { allMigrations } from './migrations/all-migrations.js';
import { createModelCatalogStore } from './model-catalog-store.js';
import { createModelVersionStore } from './model-versions-store.js';
import { createPostgresDialect, redactDatabaseUrl } from './postgres-dialect.js';
import { withPostgresMigrationLock } from './postgres-migration-lock.js';
import { createRequestLog, type RequestLogOptions } from './request-log.js';
import { createRequestQueries } from './request-queries.js';
import type { DatabaseSchema } from './schema.js';
import { createSessions } from './sessions.js';
import { createSettings } from './settings.js';
import { createSqliteDialect } from './sqlite-dialect.js';
import type { Storage } from './storage.js';
import { createUserUsageStore } from './user-usage.js';
import { createUsers } from './users.js';
import { type StorageDialect, writeLockFor } from './write-lock.js';

export type { Storage } from './storage.js';

/** How the database behaves, whichever it is; and how the request log batches. */
export interface StorageSettings extends RequestLogOptions {
  /** SQLite: how long a write waits for another connection's lock, milliseconds (default 5,000). */
  busyTimeoutMs?: number;
  /** PostgreSQL: most pooled connections of this process (default 10). */
  poolSize?: number;
  /** The clock, epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Where the database lives: a SQLite file (the default, one process), or a PostgreSQL
 * URL (several replicas sharing one database).
 */
export type StorageLocation =
  | {
      /** SQLite file path (its folder is created), or `:memory:`. */
      path: string;
      url?: undefined;
    }
  | {
      /** `postgres://user:password@host:port/database`. */
      url: string;
      path?: undefined;
    };

/** Where the database lives and how it behaves. */
export type StorageOptions = StorageSettings & StorageLocation;

/** Opens the connection (SQLite) or the pool (PostgreSQL, proven with one query). */
async function connect(
  options: StorageOptions,
): Promise<{ db: Kysely<DatabaseSchema>; dialect: StorageDialect }> {
  if (options.url === undefined) {
    try {
      const dialect = createSqliteDialect({
        path: options.path,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
      });
      return { db: new Kysely<DatabaseSchema>({ dialect }), dialect: 'sqlite' };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`cannot open the database at ${options.path}: ${reason}`, { cause });
    }
  }
  const onError = options.onError ?? ((error: Error) => console.error(error));
  const db = new Kysely<DatabaseSchema>({
    dialect: await createPostgresDialect({
      url: options.url,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      onError: (error) =>
        onError(new Error(`database connection failed: ${error.message}`, { cause: error })),
    }),
  });
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy().catch(() => {});
    const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
    throw new Error(
      `cannot reach the PostgreSQL database at ${redactDatabaseUrl(options.url)}: ${reason}; check database.url in config.yaml and that the server is running and accepts this user`,
      { cause },
    );
  }
  return { db, dialect: 'postgres' };
}

/**
 * Opens the database, applies pending migrations (all or none), and returns the
 * storage face. On PostgreSQL the migrations run under an advisory lock, so replicas
 * starting together migrate once. Throws `MigrationError` naming the failing migration,
 * with the database left as it was; the connection is closed before the throw.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const now = options.now ?? Date.now;
  const { db, dialect } = await connect(options);
  const untyped = db as Kysely<unknown>;

  let migrations: Storage['migrations'];
  try {
    migrations =
      dialect === 'postgres'
        ? await withPostgresMigrationLock(untyped, () => migrateToLatest(untyped, allMigrations))
        : await migrateToLatest(untyped, allMigrations);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const requests = createRequestLog({ ...options, queries: createRequestQueries(db), now });
  const lock = writeLockFor(dialect);
  const settings = createSettings(db, now);
  const keys = createApiKeyStore(db, now, lock);
  const users = createUsers(db, now, lock);
  const usage = createUserUsageStore(db);
  const incidents = createIncidents(db, now);
  const sessions = createSessions(db);
  const catalog = createModelCatalogStore(db, now, lock);
  const versions = createModelVersionStore(db, now, lock);
  const audit = createAuditLog(db, now);
  const benchmarks = createBenchmarkStore(db, now);
  const metrics = createMetricsStore(db, now, lock);
  const alerts = createAlertStore(db, now, lock);
  const healthEvents = createHealthEvents(db);
  // Only PostgreSQL has other processes to hear from; the listening connection opens on
  // the first subscription, so a process that never subscribes opens none.
  const changes =
    options.url === undefined
      ? silentChangeFeed
      : createPostgresChangeFeed({
          url: options.url,
          onError: options.onError ?? ((error: Error) => console.error(error)),
        });
  let closing: Promise<void> | undefined;

  return {
    dialect,
    requests,
    settings,
    keys,
    users,
    usage,
    incidents,
    sessions,
    catalog,
    versions,
    audit,
    benchmarks,
    metrics,
    alerts,
    healthEvents,
    changes,
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
          await changes.close();
          await requests.close();
          await sessions.flush();
        } finally {
          await db.destroy();
        }
      })();
      return closing;
    },
  };
}
