/**
 * Runs storage tests on every database storage supports: SQLite always, PostgreSQL (a
 * throwaway server per test file, a fresh database per location) where it is installed,
 * and always under `CI=true`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import {
  openStorage,
  type Storage,
  type StorageDialect,
  type StorageLocation,
  type StorageSettings,
} from '../src/storage/index.js';
import { type PostgresServer, postgresAvailable, startPostgresServer } from './postgres-server.js';

/** One database, as the tests of a `describeEachDialect` block see it. */
export interface DialectUnderTest {
  /** Which database the block runs on. */
  readonly dialect: StorageDialect;
  /** A new, empty database: a file in a temporary folder, or a new PostgreSQL database. */
  newLocation(): Promise<StorageLocation>;
  /** Opens storage on `location` (a new database when omitted); closed after the test. */
  open(settings?: StorageSettings, location?: StorageLocation): Promise<Storage>;
  /** Runs plain SQL through a connection of its own, as another process would; its rows. */
  query<Row>(location: StorageLocation, text: string): Promise<Row[]>;
  /** The running PostgreSQL server (PostgreSQL blocks only; throws on SQLite). */
  server(): PostgresServer;
}

/** Options of {@link describeEachDialect}. */
export interface DialectOptions {
  /** Only these databases (default: both). */
  only?: readonly StorageDialect[];
}

function sqliteUnderTest(): DialectUnderTest {
  const folders: string[] = [];
  const opened: Storage[] = [];
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });
  const newLocation = async (): Promise<StorageLocation> => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-storage-'));
    folders.push(folder);
    return { path: path.join(folder, 'gateway.sqlite') };
  };
  return {
    dialect: 'sqlite',
    newLocation,
    async open(settings = {}, location) {
      const storage = await openStorage({ ...settings, ...(location ?? (await newLocation())) });
      opened.push(storage);
      return storage;
    },
    async query<Row>(location: StorageLocation, text: string) {
      if (location.path === undefined) throw new Error('a SQLite block needs a SQLite location');
      const inspector = new BetterSqlite3(location.path);
      try {
        const statement = inspector.prepare(text);
        if (statement.reader) return statement.all() as Row[];
        statement.run();
        return [];
      } finally {
        inspector.close();
      }
    },
    server() {
      throw new Error('server() is for PostgreSQL blocks only');
    },
  };
}

function postgresUnderTest(): DialectUnderTest {
  let running: PostgresServer | undefined;
  const opened: Storage[] = [];
  beforeAll(async () => {
    running = await startPostgresServer();
  });
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
  });
  afterAll(async () => {
    await running?.stop();
  });
  const server = (): PostgresServer => {
    if (running === undefined) throw new Error('the PostgreSQL server is not running yet');
    return running;
  };
  const newLocation = async (): Promise<StorageLocation> => ({
    url: await server().createDatabase(),
  });
  return {
    dialect: 'postgres',
    newLocation,
    async open(settings = {}, location) {
      const storage = await openStorage({ ...settings, ...(location ?? (await newLocation())) });
      opened.push(storage);
      return storage;
    },
    async query<Row>(location: StorageLocation, text: string) {
      if (location.url === undefined) throw new Error('a PostgreSQL block needs a URL location');
      const client = new pg.Client({ connectionString: location.url });
      await client.connect();
      try {
        return (await client.query(text)).rows as Row[];
      } finally {
        await client.end();
      }
    },
    server,
  };
}

/**
 * Declares `body`'s tests once per database: `<title> (sqlite)` and `<title> (postgres)`.
 * The PostgreSQL block is skipped, with the reason printed, where PostgreSQL is missing
 * (and fails under `CI=true`).
 */
export function describeEachDialect(
  title: string,
  body: (database: DialectUnderTest) => void,
  options: DialectOptions = {},
): void {
  const only = options.only ?? ['sqlite', 'postgres'];
  if (only.includes('sqlite')) describe(`${title} (sqlite)`, () => body(sqliteUnderTest()));
  if (only.includes('postgres')) {
    describe.runIf(postgresAvailable())(`${title} (postgres)`, () => body(postgresUnderTest()));
  }
}
