import type { Kysely, Migration } from 'kysely';

/**
 * The first schema: the request log and the settings table. Only portable column
 * types, so the same migration runs on PostgreSQL later.
 */
export const initialMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('requests')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('provider_id', 'text')
      .addColumn('model', 'text')
      .addColumn('requested_model', 'text', (column) => column.notNull())
      .addColumn('task', 'text')
      .addColumn('stream', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('status', 'integer', (column) => column.notNull())
      .addColumn('error_code', 'text')
      .addColumn('latency_ms', 'double precision', (column) => column.notNull())
      .addColumn('first_token_ms', 'double precision')
      .addColumn('prompt_tokens', 'integer')
      .addColumn('completion_tokens', 'integer')
      .addColumn('cost_usd', 'double precision')
      .addColumn('client', 'text')
      .execute();
    await db.schema
      .createIndex('requests_created_at_index')
      .on('requests')
      .column('created_at')
      .execute();
    // Leading `model` serves "where model = ?" alone and "... order by created_at" too.
    await db.schema
      .createIndex('requests_model_created_at_index')
      .on('requests')
      .columns(['model', 'created_at'])
      .execute();
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (column) => column.primaryKey())
      .addColumn('value', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('settings').execute();
    await db.schema.dropTable('requests').execute();
  },
};
