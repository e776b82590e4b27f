import type { Kysely, Migration } from 'kysely';

/**
 * Users gain `expires_at` (their token stops working then; null: never) and `limits`
 * (their own rate limits and budgets over config.yaml's `limits.users`, as JSON).
 * `user_usage` holds each user's counters per UTC day, incremented atomically in the
 * database so replicas sharing it agree; the audit log gains an index on its actor.
 */
export const userLimitsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('expires_at', 'bigint').execute();
    await db.schema.alterTable('users').addColumn('limits', 'text').execute();
    await db.schema
      .createTable('user_usage')
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('day', 'text', (column) => column.notNull())
      .addColumn('requests', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('cost_usd', 'double precision', (column) => column.notNull().defaultTo(0))
      .addColumn('minute_start', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('minute_requests', 'integer', (column) => column.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('user_usage_primary_key', ['user_id', 'day'])
      .execute();
    await db.schema.createIndex('audit_actor_index').on('audit').column('actor').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('audit_actor_index').execute();
    await db.schema.dropTable('user_usage').execute();
    await db.schema.alterTable('users').dropColumn('limits').execute();
    await db.schema.alterTable('users').dropColumn('expires_at').execute();
  },
};
