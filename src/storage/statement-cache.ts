import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Statements kept per database. The gateway's queries are a hundred or so texts; the
 * batched writers use a few statement shapes (`statementChunks`), since a statement of
 * every batch size once filled a larger cache with 190 MB of prepared multi-row inserts.
 */
const capacity = 200;

/**
 * The database as Kysely's SQLite driver sees it, with each statement prepared once per
 * SQL text: the driver prepares every query afresh, and under load preparing the same
 * few statements (a session's turn, a batch of request records) was a tenth of the
 * gateway's time. A statement still running (a streamed read) is never handed out
 * twice: a second user of the same text gets a fresh one.
 */
export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached !== undefined && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (cached === undefined) {
        // Oldest first out: a Map iterates in insertion order.
        if (statements.size >= capacity)
          statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
