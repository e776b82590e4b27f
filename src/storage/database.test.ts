import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type DialectUnderTest, describeEachDialect } from '../../testkit/storage-dialects.js';
import { openStorage, type StorageLocation } from './database.js';
import { MigrationError } from './migrate-to-latest.js';
import { allMigrations } from './migrations/all-migrations.js';

const folders: string[] = [];

/** A database path inside a fresh temporary folder, one level down so the folder must be created. */
function temporaryDatabasePath(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-storage-'));
  folders.push(folder);
  return path.join(folder, 'nested', 'gateway.sqlite');
}

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

const shipped = Object.keys(allMigrations).sort();

/** The tables the shipped migrations create. */
const shippedTables = [
  'alerts',
  'api_keys',
  'audit',
  'bench_results',
  'bench_runs',
  'catalog_models',
  'catalog_syncs',
  'health_events',
  'incidents',
  'metrics_daily',
  'model_versions',
  'requests',
  'sessions',
  'settings',
  'user_usage',
  'users',
  'version_notices',
  'version_pins',
];

/** Tables (not Kysely's or SQLite's own) and applied migrations, read through a connection of its own. */
async function schemaOf(database: DialectUnderTest, location: StorageLocation) {
  const tables = await database.query<{ name: string }>(
    location,
    database.dialect === 'sqlite'
      ? "select name from sqlite_master where type = 'table' and name not like 'kysely%' and name not like 'sqlite%'"
      : "select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely%'",
  );
  const applied = await database.query<{ name: string }>(
    location,
    'select name from kysely_migration order by name',
  );
  return {
    tables: tables.map((row) => row.name).sort(),
    applied: applied.map((row) => row.name),
  };
}

describeEachDialect('openStorage', (database) => {
  it('applies the migrations once, and reports them', async () => {
    const location = await database.newLocation();
    const storage = await database.open({}, location);
    expect(storage.dialect).toBe(database.dialect);
    expect(storage.migrations).toEqual(shipped.map((name) => ({ name, status: 'applied' })));
    await storage.close();

    const reopened = await database.open({}, location);
    expect(reopened.migrations).toEqual(
      shipped.map((name) => ({ name, status: 'already-applied' })),
    );
    expect(await schemaOf(database, location)).toEqual({
      tables: shippedTables,
      applied: shipped,
    });
  });

  it('answers ping while open and not after close; close is safe twice', async () => {
    const storage = await database.open();
    expect(await storage.ping()).toBe(true);
    await storage.close();
    await storage.close();
    expect(await storage.ping()).toBe(false);
  });

  it('refuses a database migrated by a newer version, naming no migration, and closes it', async () => {
    const location = await database.newLocation();
    await (await database.open({}, location)).close();
    await database.query(
      location,
      "insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '1970-01-01T00:00:00.000Z')",
    );

    const opening = openStorage(location);
    await expect(opening).rejects.toBeInstanceOf(MigrationError);
    await expect(opening).rejects.toMatchObject({ migrationName: null });
    await expect(opening).rejects.toThrow(/9999-from-the-future/);
  });
});

describeEachDialect(
  'openStorage by several replicas at once',
  (database) => {
    it('migrates once under the advisory lock; the others find every migration applied', async () => {
      const location = await database.newLocation();
      const replicas = await Promise.all([1, 2, 3].map(() => database.open({}, location)));
      const statuses = replicas.map((replica) => replica.migrations.map((entry) => entry.status));
      const migrated = statuses.filter((list) => list.every((status) => status === 'applied'));
      const waited = statuses.filter((list) =>
        list.every((status) => status === 'already-applied'),
      );
      expect([migrated.length, waited.length]).toEqual([1, 2]);
      expect((await schemaOf(database, location)).applied).toEqual(shipped);
      await replicas[0]?.settings.set('seen-by', 'everyone');
      for (const replica of replicas)
        expect(await replica.settings.get('seen-by')).toBe('everyone');
    });
  },
  // SQLite is one process's database: its writers wait on a file lock, not on each other here.
  { only: ['postgres'] },
);

describe('openStorage on SQLite', () => {
  it('creates the folder of a new file', async () => {
    const databasePath = temporaryDatabasePath();
    const storage = await openStorage({ path: databasePath });
    await storage.close();
    expect(fs.existsSync(databasePath)).toBe(true);
  });

  it('leaves the file in WAL mode with the indexes in place', async () => {
    const databasePath = temporaryDatabasePath();
    const storage = await openStorage({ path: databasePath });
    const inspector = new BetterSqlite3(databasePath, { readonly: true });
    const journalMode = inspector.pragma('journal_mode', { simple: true });
    const indexes = inspector
      .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'requests'")
      .pluck()
      .all();
    inspector.close();
    await storage.close();
    expect(journalMode).toBe('wal');
    expect(indexes).toEqual(
      expect.arrayContaining(['requests_created_at_index', 'requests_model_created_at_index']),
    );
  });

  it('works in memory for tests of other modules', async () => {
    const storage = await openStorage({ path: ':memory:' });
    await storage.settings.set('greeting', 'hello');
    expect(await storage.settings.get('greeting')).toBe('hello');
    await storage.close();
  });

  it('names the path when the file cannot be opened', async () => {
    const folder = path.dirname(temporaryDatabasePath());
    fs.mkdirSync(folder, { recursive: true });
    await expect(openStorage({ path: folder })).rejects.toThrow(
      `cannot open the database at ${folder}`,
    );
  });
});

describe('openStorage on PostgreSQL, when it cannot', () => {
  it('says which server it could not reach, without the password, and what to check', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const opening = openStorage({ url: 'postgres://tta:hunter2-secret@127.0.0.1:1/tta_models' });
    await expect(opening).rejects.toThrow(
      /^cannot reach the PostgreSQL database at postgres:\/\/tta:\*\*\*@127\.0\.0\.1:1\/tta_models: .*ECONNREFUSED.*check database\.url/,
    );
    await expect(opening).rejects.not.toThrow(/hunter2/);
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(openStorage({ url: 'mysql://root@127.0.0.1/tta' })).rejects.toThrow(
      /database\.url must be a postgres:\/\/ URL/,
    );
  });
});
