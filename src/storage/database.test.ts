import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from './database.js';
import { MigrationError } from './migrate-to-latest.js';

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

describe('openStorage', () => {
  it('creates the folder, applies the migrations once, and reports them', async () => {
    const databasePath = temporaryDatabasePath();
    const storage = await openStorage({ path: databasePath });
    expect(storage.migrations).toEqual([
      { name: '0001-initial', status: 'applied' },
      { name: '0002-api-keys', status: 'applied' },
      { name: '0003-model-catalog', status: 'applied' },
      { name: '0004-incidents-sessions', status: 'applied' },
      { name: '0005-benchmarks', status: 'applied' },
      { name: '0006-model-versions', status: 'applied' },
    ]);
    await storage.close();
    expect(fs.existsSync(databasePath)).toBe(true);

    const reopened = await openStorage({ path: databasePath });
    expect(reopened.migrations).toEqual([
      { name: '0001-initial', status: 'already-applied' },
      { name: '0002-api-keys', status: 'already-applied' },
      { name: '0003-model-catalog', status: 'already-applied' },
      { name: '0004-incidents-sessions', status: 'already-applied' },
      { name: '0005-benchmarks', status: 'already-applied' },
      { name: '0006-model-versions', status: 'already-applied' },
    ]);
    await reopened.close();

    const inspector = new BetterSqlite3(databasePath, { readonly: true });
    const applied = inspector.prepare('select name from kysely_migration').all();
    const tables = inspector
      .prepare("select name from sqlite_master where type = 'table' and name not like 'kysely%'")
      .pluck()
      .all();
    inspector.close();
    expect(applied).toEqual([
      { name: '0001-initial' },
      { name: '0002-api-keys' },
      { name: '0003-model-catalog' },
      { name: '0004-incidents-sessions' },
      { name: '0005-benchmarks' },
      { name: '0006-model-versions' },
    ]);
    expect(tables.sort()).toEqual([
      'alerts',
      'api_keys',
      'audit',
      'bench_results',
      'bench_runs',
      'catalog_models',
      'catalog_syncs',
      'incidents',
      'metrics_daily',
      'model_versions',
      'requests',
      'sessions',
      'settings',
      'users',
      'version_notices',
      'version_pins',
    ]);
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

  it('answers ping while open and not after close; close is safe twice', async () => {
    const storage = await openStorage({ path: temporaryDatabasePath() });
    expect(await storage.ping()).toBe(true);
    await storage.close();
    await storage.close();
    expect(await storage.ping()).toBe(false);
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

  it('refuses a database migrated by a newer version, naming no migration, and closes it', async () => {
    const databasePath = temporaryDatabasePath();
    await (await openStorage({ path: databasePath })).close();
    const writer = new BetterSqlite3(databasePath);
    writer
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('9999-from-the-future', new Date(0).toISOString());
    writer.close();

    const opening = openStorage({ path: databasePath });
    await expect(opening).rejects.toBeInstanceOf(MigrationError);
    await expect(opening).rejects.toMatchObject({ migrationName: null });
    await expect(opening).rejects.toThrow(/9999-from-the-future/);
  });
});
