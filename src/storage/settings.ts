import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** Small named string values kept across restarts, such as the admin token's hash. */
export interface Settings {
  /** The value, or undefined when the key was never set (or was deleted). */
  get(key: string): Promise<string | undefined>;
  /** Creates or replaces the value. */
  set(key: string, value: string): Promise<void>;
  /** Removes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Every key and value, sorted by key. */
  entries(): Promise<Array<{ key: string; value: string; updatedAt: number }>>;
}

/** Settings over the `settings` table; `now` stamps each write. */
export function createSettings(db: Kysely<DatabaseSchema>, now: () => number): Settings {
  return {
    async get(key) {
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },

    async set(key, value) {
      const updatedAt = Math.round(now());
      await db
        .insertInto('settings')
        .values({ key, value, updated_at: updatedAt })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({ value, updated_at: updatedAt }),
        )
        .execute();
    },

    async delete(key) {
      const result = await db.deleteFrom('settings').where('key', '=', key).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async entries() {
      const rows = await db.selectFrom('settings').selectAll().orderBy('key').execute();
      return rows.map((row) => ({
        key: row.key,
        value: row.value,
        updatedAt: Number(row.updated_at),
      }));
    },
  };
}
