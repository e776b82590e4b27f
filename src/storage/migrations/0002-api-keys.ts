import type { Kysely, Migration } from 'kysely';

/**
 * The key vault's tables: `users` (people who hold a gateway token and own keys) and
 * `api_keys` (provider keys, sealed; never the plain secret). Owners are user ids or
 * `operator`, so `api_keys.owner` is not a foreign key. Portable column types only.
 */
export const apiKeysMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull().unique())
      .addColumn('token_hash', 'text', (column) => column.notNull().unique())
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('owner', 'text', (column) => column.notNull())
      .addColumn('provider_id', 'text', (column) => column.notNull())
      .addColumn('label', 'text')
      .addColumn('last4', 'text', (column) => column.notNull())
      .addColumn('sealed', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('status', 'text', (column) => column.notNull().defaultTo('unchecked'))
      .addColumn('status_message', 'text')
      .addColumn('checked_at', 'bigint')
      .execute();
    // "This owner's keys" and "this owner's keys for this provider" (routing) both use it.
    await db.schema
      .createIndex('api_keys_owner_provider_index')
      .on('api_keys')
      .columns(['owner', 'provider_id'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('api_keys').execute();
    await db.schema.dropTable('users').execute();
  },
};
