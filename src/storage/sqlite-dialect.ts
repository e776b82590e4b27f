import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import { withStatementCache } from './statement-cache.js';

/** How to open the SQLite file. */
export interface SqliteDialectOptions {
  /** File path; its folder is created. `:memory:` gives a private in-memory database. */
  path: string;
  /**
   * How long a write waits for another connection's lock, in milliseconds, before it
   * fails with `SQLITE_BUSY`. Only writers wait (WAL readers never do). Beyond a short
   * first wait inside SQLite, the wait is asynchronous: the event loop keeps serving.
   */
  busyTimeoutMs: number;
}

/**
 * How long SQLite itself may wait for a lock, milliseconds. better-sqlite3 is synchronous,
 * so SQLite's own wait blocks the event loop: it is kept short, and longer waits happen
 * in {@link waitingOutLocks} between attempts.
 */
const blockingBusyTimeoutMs = 20;

/** Pauses between attempts while another connection holds the lock, milliseconds. */
const retryDelaysMs = [5, 10, 25, 50, 100] as const;

/** True for `SQLITE_BUSY` and its extended codes: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * The connection with every statement retried while another connection (another
 * process: the CLI, a backup, an operator's `sqlite3`) holds the write lock, until
 * `busyTimeoutMs` has passed. A statement that failed with `SQLITE_BUSY` changed
 * nothing, so running it again is safe (and for `COMMIT` it is what SQLite advises).
 */
function waitingOutLocks(
  connection: DatabaseConnection,
  busyTimeoutMs: number,
): DatabaseConnection {
  return {
    async executeQuery<Row>(compiledQuery: CompiledQuery): Promise<QueryResult<Row>> {
      const deadline = Date.now() + busyTimeoutMs;
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await connection.executeQuery<Row>(compiledQuery);
        } catch (error) {
          if (!isBusy(error) || Date.now() >= deadline) throw error;
          const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 100;
          await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
        }
      }
    },
    streamQuery: (compiledQuery, chunkSize) => connection.streamQuery(compiledQuery, chunkSize),
  };
}

/**
 * Starts every transaction with `BEGIN IMMEDIATE`: a write transaction that
 * takes the write lock up front waits out `busy_timeout`, where a deferred one
 * that reads first can fail at once with `SQLITE_BUSY` when it upgrades.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  readonly #busyTimeoutMs: number;
  readonly #database: BetterSqlite3.Database;
  #waiting: { inner: DatabaseConnection; outer: DatabaseConnection } | undefined;

  constructor(database: BetterSqlite3.Database, busyTimeoutMs: number) {
    super({ database: withStatementCache(database) });
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** SQLite has one connection: wrap it once. */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    if (this.#waiting?.inner !== inner)
      this.#waiting = { inner, outer: waitingOutLocks(inner, this.#busyTimeoutMs) };
    return this.#waiting.outer;
  }

  /**
   * After some errors (`SQLITE_FULL`, `SQLITE_IOERR`, ...) SQLite has already rolled the
   * transaction back; a second `ROLLBACK` would fail with "no transaction is active" and
   * hide the error that says what went wrong.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#database.inTransaction) return;
    await super.rollbackTransaction(connection);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite runs DDL inside transactions; Kysely's adapter says it does not, which
 * would let a failing migration leave half a schema behind.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Kysely's SQLite dialect with immediate transactions, transactional migrations, and
 * lock waits that leave the event loop free.
 */
class GatewaySqliteDialect extends SqliteDialect {
  readonly #database: BetterSqlite3.Database;
  readonly #busyTimeoutMs: number;

  constructor(database: BetterSqlite3.Database, busyTimeoutMs: number) {
    super({ database });
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#database, this.#busyTimeoutMs);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Opens (creating if needed) a SQLite file tuned for a gateway: WAL, foreign
 * keys on, `synchronous=NORMAL` (durable across process crashes, may lose the
 * last commits on power loss), and a busy timeout that waits out another
 * process's lock without freezing the server. Throws if the file cannot be opened.
 */
export function createSqliteDialect(options: SqliteDialectOptions): SqliteDialect {
  const inMemory = options.path === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs));
  const blockingMs = Math.min(busyTimeoutMs, blockingBusyTimeoutMs);
  // Opening may wait the whole timeout (nothing is served yet); later statements wait briefly.
  const database = new BetterSqlite3(options.path, { timeout: busyTimeoutMs });
  try {
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${blockingMs}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return new GatewaySqliteDialect(database, busyTimeoutMs);
}
