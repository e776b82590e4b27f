import type { Kysely, Migration } from 'kysely';

/**
 * Model versions: `model_versions` (every version of every model ever seen, which one is
 * served now, and what changed from the one before), `version_notices` (change, removal
 * and deprecation notices, with their webhook delivery), `version_pins` (which model
 * version a route or alias is pinned to, every pin kept so rollback can step back), and
 * `audit` (who changed what, when and why). Sessions gain the model version they started
 * with. Portable column types only.
 */
export const modelVersionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('model_versions')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('provider_id', 'text', (column) => column.notNull())
      .addColumn('version_key', 'text', (column) => column.notNull())
      .addColumn('label', 'text', (column) => column.notNull())
      .addColumn('facts', 'text', (column) => column.notNull())
      .addColumn('first_seen_at', 'bigint', (column) => column.notNull())
      .addColumn('last_seen_at', 'bigint', (column) => column.notNull())
      .addColumn('current', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('retired_at', 'bigint')
      .addColumn('previous_id', 'text')
      .addColumn('change_summary', 'text')
      .execute();
    await db.schema
      .createIndex('model_versions_model_index')
      .on('model_versions')
      .columns(['model', 'first_seen_at'])
      .execute();
    await db.schema
      .createTable('version_notices')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('at', 'bigint', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('severity', 'text', (column) => column.notNull())
      .addColumn('version_id', 'text')
      .addColumn('previous_version_id', 'text')
      .addColumn('summary', 'text', (column) => column.notNull())
      .addColumn('changes', 'text', (column) => column.notNull().defaultTo('[]'))
      .addColumn('dependents', 'text', (column) => column.notNull().defaultTo('[]'))
      .addColumn('dedupe_key', 'text', (column) => column.notNull().unique())
      .addColumn('delivery', 'text', (column) => column.notNull().defaultTo('none'))
      .addColumn('delivery_error', 'text')
      .execute();
    await db.schema
      .createIndex('version_notices_at_index')
      .on('version_notices')
      .column('at')
      .execute();
    await db.schema
      .createTable('version_pins')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('version_id', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('at', 'bigint', (column) => column.notNull())
      .addColumn('actor', 'text', (column) => column.notNull())
      .addColumn('reason', 'text', (column) => column.notNull())
      .addColumn('previous_pin_id', 'text')
      .addColumn('active', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('version_pins_subject_index')
      .on('version_pins')
      .columns(['subject', 'active'])
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('at', 'bigint', (column) => column.notNull())
      .addColumn('actor', 'text', (column) => column.notNull())
      .addColumn('channel', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('reason', 'text', (column) => column.notNull())
      .addColumn('detail', 'text', (column) => column.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('audit_at_index').on('audit').column('at').execute();
    await db.schema.alterTable('sessions').addColumn('model_version', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('sessions').dropColumn('model_version').execute();
    await db.schema.dropTable('audit').execute();
    await db.schema.dropTable('version_pins').execute();
    await db.schema.dropTable('version_notices').execute();
    await db.schema.dropTable('model_versions').execute();
  },
};
