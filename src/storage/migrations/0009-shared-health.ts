import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/**
 * The PostgreSQL channel every change notification goes to; its payload is the topic. The
 * change feed (`change-feed.ts`) listens on it.
 */
export const changeChannel = 'tta_models_changes';

/**
 * Which tables announce a change under which topic. Writes to these are rare (an admin
 * adding a user or a key, a pin, a breaker opening); the busy tables (requests, usage
 * counters, metrics, sessions) announce nothing.
 */
const watchedTables = [
  ['users', 'users'],
  ['api_keys', 'keys'],
  ['settings', 'settings'],
  ['model_versions', 'versions'],
  ['version_pins', 'versions'],
  ['health_events', 'health'],
] as const;

/**
 * Replicas sharing a PostgreSQL database tell each other what changed.
 *
 * `health_events`: breaker openings and closings and `Retry-After` cooldowns each replica
 * saw, so the others stop sending traffic to a failing model too (read by
 * `resilience/shared-health.ts`). Created on both databases, so the schema is one; on
 * SQLite (one process) nothing writes it.
 *
 * On PostgreSQL only: a statement trigger on each watched table sends `pg_notify` with the
 * table's topic. The notification is delivered when the writing transaction commits, by
 * whichever process wrote — a replica, the CLI, an operator's SQL — so a revoked token or a
 * changed pin reaches every replica's caches at once. Statement triggers fire once per
 * statement, and PostgreSQL folds identical notifications of one transaction into one.
 */
export const sharedHealthMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('health_events')
      // Ids only order events and let a reader pick up where it stopped.
      .addColumn('id', postgres ? 'bigserial' : 'integer', (column) =>
        postgres ? column.primaryKey() : column.primaryKey().autoIncrement(),
      )
      .addColumn('replica', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('at', 'bigint', (column) => column.notNull())
      .addColumn('duration_ms', 'integer', (column) => column.notNull())
      .addColumn('cause', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('health_events_at_index')
      .on('health_events')
      .column('at')
      .execute();
    if (!postgres) return;
    await sql`
      create or replace function tta_models_notify_change() returns trigger
      language plpgsql as $$
      begin
        perform pg_notify(${sql.lit(changeChannel)}, tg_argv[0]);
        return null;
      end
      $$`.execute(db);
    for (const [table, topic] of watchedTables) {
      await sql`
        create trigger ${sql.id(`${table}_announce_change`)}
        after insert or update or delete on ${sql.table(table)}
        for each statement execute function tta_models_notify_change(${sql.lit(topic)})`.execute(
        db,
      );
    }
  },
  async down(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    if (postgres) {
      for (const [table] of watchedTables) {
        await sql`drop trigger if exists ${sql.id(`${table}_announce_change`)} on ${sql.table(table)}`.execute(
          db,
        );
      }
      await sql`drop function if exists tta_models_notify_change()`.execute(db);
    }
    await db.schema.dropTable('health_events').execute();
  },
};
