import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** Something the resilience layer did about a failing model. */
export interface Incident {
  /** `inc_<random>`. */
  id: string;
  /** When, epoch milliseconds. */
  at: number;
  /** The model concerned, `<providerId>/<modelId>` (or a vault key id for key incidents). */
  model: string;
  /** `switch`, `breaker_opened`, `breaker_half_open`, `breaker_closed`, `key_invalid`, ... */
  kind: string;
  /** What went wrong. */
  cause: string;
  /** What the gateway did about it. */
  action: string;
  /** The request it happened in, if any. */
  requestId: string | null;
  /** The session it happened in, if any. */
  sessionId: string | null;
}

/** The incident log. */
export interface Incidents {
  /** Appends one incident (id and time filled in when missing). */
  add(
    incident: Omit<Incident, 'id' | 'at'> & Partial<Pick<Incident, 'id' | 'at'>>,
  ): Promise<Incident>;
  /** Newest first. */
  recent(query?: { limit?: number; model?: string; since?: number }): Promise<Incident[]>;
}

/** Incidents over the `incidents` table. */
export function createIncidents(db: Kysely<DatabaseSchema>, now: () => number): Incidents {
  return {
    async add(input) {
      const incident: Incident = {
        ...input,
        id: input.id ?? `inc_${randomBytes(8).toString('hex')}`,
        at: input.at ?? Math.round(now()),
      };
      await db
        .insertInto('incidents')
        .values({
          id: incident.id,
          at: incident.at,
          model: incident.model,
          kind: incident.kind,
          cause: incident.cause,
          action: incident.action,
          request_id: incident.requestId,
          session_id: incident.sessionId,
        })
        .execute();
      return incident;
    },
    async recent(query = {}) {
      let select = db.selectFrom('incidents').selectAll();
      if (query.model !== undefined) select = select.where('model', '=', query.model);
      if (query.since !== undefined) select = select.where('at', '>=', query.since);
      const rows = await select
        .orderBy('at', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map((row) => ({
        id: row.id,
        at: Number(row.at),
        model: row.model,
        kind: row.kind,
        cause: row.cause,
        action: row.action,
        requestId: row.request_id,
        sessionId: row.session_id,
      }));
    },
  };
}
