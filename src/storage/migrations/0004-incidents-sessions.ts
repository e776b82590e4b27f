import type { Kysely, Migration } from 'kysely';

/**
 * Resilience: `incidents` (every switch, breaker change and key invalidation, with
 * cause and action) and `sessions` (a player's conversation: the model it is pinned
 * to after a switch, and its fallback history). Portable column types only.
 */
export const incidentsSessionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('at', 'bigint', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('cause', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('request_id', 'text')
      .addColumn('session_id', 'text')
      .execute();
    await db.schema.createIndex('incidents_at_index').on('incidents').column('at').execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('owner', 'text', (column) => column.notNull())
      .addColumn('requested_model', 'text', (column) => column.notNull())
      .addColumn('pinned_model', 'text')
      .addColumn('turns', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('history', 'text', (column) => column.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('sessions').execute();
    await db.schema.dropTable('incidents').execute();
  },
};
