import type { Kysely, Migration } from 'kysely';

/**
 * The model catalog: `catalog_models` holds the last good listing of every provider
 * (one row per model, the normalised card and the provider's own entry as JSON), and
 * `catalog_syncs` records every sync attempt, good or not, so the age of the catalog
 * and the reason it is offline can be shown. Portable column types only.
 */
export const modelCatalogMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('catalog_models')
      .addColumn('provider_id', 'text', (column) => column.notNull())
      .addColumn('model_id', 'text', (column) => column.notNull())
      .addColumn('position', 'integer', (column) => column.notNull())
      .addColumn('card', 'text', (column) => column.notNull())
      .addColumn('raw', 'text')
      .addColumn('first_seen_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('catalog_models_primary_key', ['provider_id', 'model_id'])
      .execute();
    await db.schema
      .createTable('catalog_syncs')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('provider_id', 'text', (column) => column.notNull())
      .addColumn('started_at', 'bigint', (column) => column.notNull())
      .addColumn('finished_at', 'bigint', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('models', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('added', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('changed', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('removed', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('skipped', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .execute();
    // "The latest attempt of this provider" and "its latest good sync" read this index.
    await db.schema
      .createIndex('catalog_syncs_provider_finished_index')
      .on('catalog_syncs')
      .columns(['provider_id', 'finished_at'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('catalog_syncs').execute();
    await db.schema.dropTable('catalog_models').execute();
  },
};
