import { PostgresDialect } from 'kysely';
import type pg from 'pg';

/** How to reach PostgreSQL. */
export interface PostgresDialectOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  url: string;
  /** Most connections this process opens (default 10; at least 2, since migrations hold one for the lock). */
  poolSize?: number;
  /** Receives errors of idle pooled connections (the server restarted, the network dropped). */
  onError?: (error: Error) => void;
}

/** Type ids whose text PostgreSQL sends for 64-bit and arbitrary-precision numbers. */
const int8Oid = 20;
const numericOid = 1700;

/**
 * `bigint` columns (epoch milliseconds) and the `count`/`sum`/`avg` aggregates arrive
 * as strings from `pg`, because they may exceed 2^53. Every such value this schema
 * holds is a time, a count or a sum well below that, so they are parsed as numbers:
 * rows read the same as they do from SQLite.
 */
function numberTypes(driver: typeof pg): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === int8Oid || oid === numericOid
        ? (value: string) => Number(value)
        : driver.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable database URL)';
  }
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Kysely's PostgreSQL dialect over a `pg` pool. Rejects at once when the URL is not a
 * PostgreSQL URL; connection problems surface on the first query.
 */
export async function createPostgresDialect(
  options: PostgresDialectOptions,
): Promise<PostgresDialect> {
  if (!isPostgresUrl(options.url)) {
    throw new Error(
      `database.url must be a postgres:// URL (e.g. postgres://tta:secret@db.internal:5432/tta_models), got ${redactDatabaseUrl(options.url)}`,
    );
  }
  // Loaded here: a gateway on SQLite never needs the driver (a few MB of memory).
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: options.url,
    max: Math.max(2, Math.trunc(options.poolSize ?? 10)),
    application_name: 'tta-models',
    types: numberTypes(driver),
  });
  // Without a listener, an idle connection's error would end the process.
  pool.on('error', (error) => options.onError?.(error));
  // The pool listens only to idle connections: one checked out between two statements (in
  // a transaction) when the server goes away would raise an uncaught error. Its next
  // statement fails on its own, which is where the caller learns of it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new PostgresDialect({ pool });
}
