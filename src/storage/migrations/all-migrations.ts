import type { Migration } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { apiKeysMigration } from './0002-api-keys.js';
import { modelCatalogMigration } from './0003-model-catalog.js';
import { incidentsSessionsMigration } from './0004-incidents-sessions.js';
import { benchmarksMigration } from './0005-benchmarks.js';
import { modelVersionsMigration } from './0006-model-versions.js';
import { sessionRevisionMigration } from './0007-session-revision.js';
import { userLimitsMigration } from './0008-user-limits.js';
import { sharedHealthMigration } from './0009-shared-health.js';

/**
 * Every migration, keyed by its file name. Kysely runs them in the order of
 * their names, so a new migration is a new `NNNN-name.ts` file and one line
 * here with the next number. Never rename or edit one that has shipped.
 */
export const allMigrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initialMigration,
  '0002-api-keys': apiKeysMigration,
  '0003-model-catalog': modelCatalogMigration,
  '0004-incidents-sessions': incidentsSessionsMigration,
  '0005-benchmarks': benchmarksMigration,
  '0006-model-versions': modelVersionsMigration,
  '0007-session-revision': sessionRevisionMigration,
  '0008-user-limits': userLimitsMigration,
  '0009-shared-health': sharedHealthMigration,
};
