import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, migrateToLatest } from './migrate-to-latest.js';
import { allMigrations } from './migrations/all-migrations.js';
import { createSqliteDialect } from './sqlite-dialect.js';

const folders: string[] = [];

function temporaryDatabasePath(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-migrate-'));
  folders.push(folder);
  return path.join(folder, 'gateway.sqlite');
}

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** Runs the given migrations on a fresh connection and closes it. */
async function migrate(
  databasePath: string,
  migrations: Record<string, Migration>,
): Promise<Awaited<ReturnType<typeof migrateToLatest>>> {
  const db = new Kysely<unknown>({
    dialect: createSqliteDialect({ path: databasePath, busyTimeoutMs: 1_000 }),
  });
  try {
    return await migrateToLatest(db, migrations);
  } finally {
    await db.destroy();
  }
}

/** Creates a table, then fails: the table must not survive. */
function failingMigration(table: string): Migration {
  return {
    async up(db) {
      await db.schema.createTable(table).addColumn('value', 'text').execute();
      throw new Error('the disk said no');
    },
  };
}

function creatingMigration(table: string): Migration {
  return {
    async up(db) {
      await db.schema.createTable(table).addColumn('value', 'text').execute();
    },
  };
}

function tablesAndMigrations(databasePath: string): { tables: string[]; applied: string[] } {
  const inspector = new BetterSqlite3(databasePath, { readonly: true });
  const tables = inspector
    .prepare("select name from sqlite_master where type = 'table' and name not like 'kysely%'")
    .pluck()
    .all() as string[];
  const applied = inspector.prepare('select name from kysely_migration').pluck().all() as string[];
  inspector.close();
  return { tables: tables.sort(), applied: applied.sort() };
}

/** The shipped migrations' names; test migrations are numbered 9xxx so they sort after them. */
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
  'incidents',
  'metrics_daily',
  'model_versions',
  'requests',
  'sessions',
  'settings',
  'users',
  'version_notices',
  'version_pins',
];

describe('migrateToLatest', () => {
  it('rolls back every pending migration when one fails on a fresh database', async () => {
    const databasePath = temporaryDatabasePath();
    const failing = migrate(databasePath, {
      ...allMigrations,
      '9001-broken': failingMigration('half'),
    });

    await expect(failing).rejects.toBeInstanceOf(MigrationError);
    const error = (await failing.catch((caught: unknown) => caught)) as MigrationError;
    expect(error.migrationName).toBe('9001-broken');
    expect(error.message).toMatch(/9001-broken.*the disk said no/);
    expect(error.results).toEqual([
      ...shipped.map((name) => ({ name, status: 'rolled-back' })),
      { name: '9001-broken', status: 'failed' },
    ]);
    expect(tablesAndMigrations(databasePath)).toEqual({ tables: [], applied: [] });
  });

  it('keeps earlier applied migrations and undoes only this run', async () => {
    const databasePath = temporaryDatabasePath();
    await migrate(databasePath, allMigrations);

    const failing = migrate(databasePath, {
      ...allMigrations,
      '9001-add-notes': creatingMigration('notes'),
      '9002-broken': failingMigration('half'),
      '9003-later': creatingMigration('later'),
    });
    const error = (await failing.catch((caught: unknown) => caught)) as MigrationError;
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.results).toEqual([
      ...shipped.map((name) => ({ name, status: 'already-applied' })),
      { name: '9001-add-notes', status: 'rolled-back' },
      { name: '9002-broken', status: 'failed' },
      { name: '9003-later', status: 'not-run' },
    ]);
    expect(tablesAndMigrations(databasePath)).toEqual({
      tables: shippedTables,
      applied: shipped,
    });
  });

  it('applies new migrations in name order, skipping those already applied', async () => {
    const databasePath = temporaryDatabasePath();
    await migrate(databasePath, allMigrations);
    const results = await migrate(databasePath, {
      '9001-add-notes': creatingMigration('notes'),
      ...allMigrations,
    });
    expect(results).toEqual([
      ...shipped.map((name) => ({ name, status: 'already-applied' })),
      { name: '9001-add-notes', status: 'applied' },
    ]);
    expect(tablesAndMigrations(databasePath).applied).toEqual([...shipped, '9001-add-notes']);
  });
});
