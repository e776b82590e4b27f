import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { MigrationResult } from './storage.js';

/** A migration failed; the database is as it was before the open. */
export class MigrationError extends Error {
  /** The migration that failed, or null when the failure came before any ran. */
  readonly migrationName: string | null;
  /** Every known migration and what happened to it. */
  readonly results: readonly MigrationResult[];

  constructor(migrationName: string | null, results: readonly MigrationResult[], cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = migrationName === null ? 'before any migration ran' : `in "${migrationName}"`;
    super(`database migration failed ${where}: ${reason}; nothing was changed`, { cause });
    this.name = 'MigrationError';
    this.migrationName = migrationName;
    this.results = results;
  }
}

/** Serves migrations from code rather than from a folder scan. */
class InCodeMigrationProvider implements MigrationProvider {
  readonly #migrations: Readonly<Record<string, Migration>>;

  constructor(migrations: Readonly<Record<string, Migration>>) {
    this.#migrations = migrations;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.#migrations };
  }
}

/**
 * Runs every pending migration, in name order, in ONE transaction (the dialect
 * must report transactional DDL): either all pending migrations apply or none
 * does. Returns what happened to each known migration; throws `MigrationError`,
 * naming the migration, when one fails.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Readonly<Record<string, Migration>>,
): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(migrations) });
  let executedBefore: Set<string>;
  try {
    const known = await migrator.getMigrations();
    executedBefore = new Set(known.filter((info) => info.executedAt).map((info) => info.name));
  } catch (error) {
    throw new MigrationError(null, [], error);
  }
  const resultSet = await migrator.migrateToLatest();
  const ranNow = new Map((resultSet.results ?? []).map((result) => [result.migrationName, result]));
  const failed = resultSet.error !== undefined;
  const failedName = [...ranNow.values()].find((result) => result.status === 'Error');

  const results = Object.keys(migrations)
    .sort()
    .map((name): MigrationResult => {
      if (executedBefore.has(name)) return { name, status: 'already-applied' };
      const outcome = ranNow.get(name)?.status;
      if (outcome === 'Error') return { name, status: 'failed' };
      if (outcome === 'Success') return { name, status: failed ? 'rolled-back' : 'applied' };
      return { name, status: 'not-run' };
    });
  if (failed) throw new MigrationError(failedName?.migrationName ?? null, results, resultSet.error);
  return results;
}
