import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** What one replica saw of a model, told to the others. */
export interface HealthEventRecord {
  /** Increasing id (ordering only). */
  id: number;
  /** The replica that saw it. */
  replica: string;
  /** `<providerId>/<modelId>`. */
  model: string;
  /**
   * `opened`: its breaker opened (hold the model back for `durationMs`); `closed`: it
   * answered again; `cooldown`: the provider asked to wait `durationMs` (`Retry-After`).
   */
  kind: 'opened' | 'closed' | 'cooldown';
  /** When, epoch milliseconds, by the writing replica's clock. */
  at: number;
  /** How long it holds from `at`, milliseconds (0 for `closed`). */
  durationMs: number;
  /** Why, for logs. */
  cause: string;
}

/** The `health_events` table: a short log replicas append to and read each other's entries from. */
export interface HealthEvents {
  /** Appends one event; returns it with its id. */
  add(event: Omit<HealthEventRecord, 'id'>): Promise<HealthEventRecord>;
  /**
   * Events after id `afterId`, oldest first, at most `limit` (default 500); with `since`,
   * only those at or after that time (a replica starting up reads only what may still hold).
   */
  after(
    afterId: number,
    options?: { since?: number; limit?: number },
  ): Promise<HealthEventRecord[]>;
  /** Deletes events older than `before`, epoch milliseconds; how many went. */
  prune(before: number): Promise<number>;
}

const kinds = new Set<HealthEventRecord['kind']>(['opened', 'closed', 'cooldown']);

/** Health events over the `health_events` table. */
export function createHealthEvents(db: Kysely<DatabaseSchema>): HealthEvents {
  return {
    async add(event) {
      const row = await db
        .insertInto('health_events')
        .values({
          replica: event.replica,
          model: event.model,
          kind: event.kind,
          at: Math.round(event.at),
          duration_ms: Math.max(0, Math.round(event.durationMs)),
          cause: event.cause,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...event, id: Number(row.id) };
    },
    async after(afterId, options = {}) {
      let select = db.selectFrom('health_events').selectAll().where('id', '>', afterId);
      if (options.since !== undefined) select = select.where('at', '>=', options.since);
      const rows = await select
        .orderBy('id', 'asc')
        .limit(options.limit ?? 500)
        .execute();
      return rows.flatMap((row) => {
        const kind = row.kind as HealthEventRecord['kind'];
        // A kind a newer release writes is skipped, not misread.
        if (!kinds.has(kind)) return [];
        return [
          {
            id: Number(row.id),
            replica: row.replica,
            model: row.model,
            kind,
            at: Number(row.at),
            durationMs: Number(row.duration_ms),
            cause: row.cause,
          },
        ];
      });
    },
    async prune(before) {
      const result = await db
        .deleteFrom('health_events')
        .where('at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
