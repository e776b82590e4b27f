import { Kysely, type Migration } from 'kysely';
import { expect, it } from 'vitest';
import { type DialectUnderTest, describeEachDialect } from '../../testkit/storage-dialects.js';
import type { StorageLocation } from './database.js';
import { MigrationError, migrateToLatest } from './migrate-to-latest.js';
import { allMigrations } from './migrations/all-migrations.js';
import { createPostgresDialect } from './postgres-dialect.js';
import { createSqliteDialect } from './sqlite-dialect.js';

/** Runs the given migrations on a fresh connection and closes it. */
async function migrate(
  location: StorageLocation,
  migrations: Record<string, Migration>,
): Promise<Awaited<ReturnType<typeof migrateToLatest>>> {
  const db = new Kysely<unknown>({
    dialect:
      location.url === undefined
        ? createSqliteDialect({ path: location.path, busyTimeoutMs: 1_000 })
        : await createPostgresDialect({ url: location.url }),
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

/** Tables (not Kysely's or SQLite's own) and applied migrations, read through a connection of its own. */
async function tablesAndMigrations(database: DialectUnderTest, location: StorageLocation) {
  const tables = await database.query<{ name: string }>(
    location,
    database.dialect === 'sqlite'
      ? "select name from sqlite_master where type = 'table' and name not like 'kysely%' and name not like 'sqlite%'"
      : "select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely%'",
  );
  // A fresh database whose migrations all rolled back has no migration table either.
  const applied = await database
    .query<{ name: string }>(location, 'select name from kysely_migration')
    .catch(() => []);
  return {
    tables: tables.map((row) => row.name).sort(),
    applied: applied.map((row) => row.name).sort(),
  };
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

describeEachDialect('migrateToLatest', (database) => {
  it('rolls back every pending migration when one fails on a fresh database', async () => {
    const location = await database.newLocation();
    const failing = migrate(location, {
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
    expect(await tablesAndMigrations(database, location)).toEqual({ tables: [], applied: [] });
  });

  it('keeps earlier applied migrations and undoes only this run', async () => {
    const location = await database.newLocation();
    await migrate(location, allMigrations);

    const failing = migrate(location, {
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
    expect(await tablesAndMigrations(database, location)).toEqual({
      tables: shippedTables,
      applied: shipped,
    });
  });

  it('applies new migrations in name order, skipping those already applied', async () => {
    const location = await database.newLocation();
    await migrate(location, allMigrations);
    const results = await migrate(location, {
      '9001-add-notes': creatingMigration('notes'),
      ...allMigrations,
    });
    expect(results).toEqual([
      ...shipped.map((name) => ({ name, status: 'already-applied' })),
      { name: '9001-add-notes', status: 'applied' },
    ]);
    expect((await tablesAndMigrations(database, location)).applied).toEqual([
      ...shipped,
      '9001-add-notes',
    ]);
  });
});
