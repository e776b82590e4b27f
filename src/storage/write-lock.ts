import { type Kysely, sql } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** The databases storage runs on. */
export type StorageDialect = 'sqlite' | 'postgres';

/**
 * Serialises transactions that read, decide, then write the same thing (a pin, an open
 * alert, a day of rollups), across every process sharing the database. Call it first
 * inside the transaction; the lock is held until it commits or rolls back.
 */
export type WriteLock = (transaction: Kysely<DatabaseSchema>, name: string) => Promise<void>;

/**
 * SQLite: nothing to do. Every transaction starts with `BEGIN IMMEDIATE`, which takes
 * the database's one write lock up front, so read-then-write transactions never interleave.
 */
const sqliteWriteLock: WriteLock = async () => {};

/**
 * PostgreSQL: under READ COMMITTED two transactions may both read "no active pin" and
 * both insert one. A transaction-scoped advisory lock on the name makes the second wait
 * for the first to commit; its next statement then sees the first one's rows.
 */
const postgresWriteLock: WriteLock = async (transaction, name) => {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`tta-models:${name}`}, 0))`.execute(
    transaction,
  );
};

/** The write lock for a dialect. */
export function writeLockFor(dialect: StorageDialect): WriteLock {
  return dialect === 'postgres' ? postgresWriteLock : sqliteWriteLock;
}
