import type { Kysely, Migration } from 'kysely';

/**
 * Sessions gain `revision`, the count of writes to the row. Several replicas share the
 * sessions table: a replica writes a session only if the row still holds the revision it
 * read, and re-reads it otherwise, so no replica overwrites another's turn.
 */
export const sessionRevisionMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('sessions')
      .addColumn('revision', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('sessions').dropColumn('revision').execute();
  },
};
