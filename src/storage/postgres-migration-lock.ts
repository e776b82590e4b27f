import { type Kysely, sql } from 'kysely';

/** One name for the lock every tta-models process takes before migrating. */
const lockName = 'tta-models:migrations';

/**
 * Runs `work` (the migrations) while this process holds a session-level PostgreSQL
 * advisory lock, taken on a pooled connection of its own: when several replicas start at
 * once, one migrates and the others wait, then find every migration applied.
 */
export async function withPostgresMigrationLock<T>(
  db: Kysely<unknown>,
  work: () => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(hashtextextended(${lockName}, 0))`.execute(connection);
    try {
      return await work();
    } finally {
      // If the connection broke, the server dropped the lock with it.
      await sql`select pg_advisory_unlock(hashtextextended(${lockName}, 0))`
        .execute(connection)
        .catch(() => {});
    }
  });
}
