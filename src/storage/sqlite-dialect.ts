import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/** How to open the SQLite file. */
export interface SqliteDialectOptions {
  /** File path; its folder is created. `:memory:` gives a private in-memory database. */
  path: string;
  /**
   * How long a write waits for another connection's lock, in milliseconds.
   * better-sqlite3 is synchronous, so this wait blocks the event loop; only
   * writers wait (WAL readers never do).
   */
  busyTimeoutMs: number;
}

/**
 * Starts every transaction with `BEGIN IMMEDIATE`: a write transaction that
 * takes the write lock up front waits out `busy_timeout`, where a deferred one
 * that reads first can fail at once with `SQLITE_BUSY` when it upgrades.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
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

/** Kysely's SQLite dialect with immediate transactions and transactional migrations. */
class GatewaySqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Opens (creating if needed) a SQLite file tuned for a gateway: WAL, foreign
 * keys on, `synchronous=NORMAL` (durable across process crashes, may lose the
 * last commits on power loss), and a busy timeout. Throws if the file cannot
 * be opened.
 */
export function createSqliteDialect(options: SqliteDialectOptions): SqliteDialect {
  const inMemory = options.path === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const database = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs });
  try {
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs))}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return new GatewaySqliteDialect({ database });
}
