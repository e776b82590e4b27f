import { type Kysely, sql } from 'kysely';
import type { SessionModelVersion } from '../spec/model-version.js';
import type { DatabaseSchema, SessionsTable } from './schema.js';

/** One switch in a session's life. */
export interface SessionSwitch {
  /** When, epoch milliseconds. */
  at: number;
  /** The model given up on. */
  from: string;
  /** The model that took over. */
  to: string;
  /** Why (error code, or for a version move `version_replaced`, `version_gone` ...). */
  cause: string;
  /** `version` for a move to another model version; absent for a fallback switch. */
  kind?: 'fallback' | 'version';
  /** For a version move: the version left. */
  fromVersion?: string;
  /** For a version move: the version taken up. */
  toVersion?: string;
  /** For a version move: what differs, in words. */
  summary?: string;
}

/** A player's conversation as the gateway keeps it. */
export interface SessionRecord {
  /** The client's session id (`x-tta-session`). */
  id: string;
  /** Whose session it is (a user id, or `operator`). */
  owner: string;
  /** The model name the session asks for (`route:story`, ...). */
  requestedModel: string;
  /** The model the session stays on after a switch, until the preferred one recovers. */
  pinnedModel: string | null;
  /** Turns answered. */
  turns: number;
  /** Every switch, oldest first. */
  history: SessionSwitch[];
  /** The model version the session started with (or moved to); absent before it is known. */
  modelVersion?: SessionModelVersion | null;
  createdAt: number;
  updatedAt: number;
  /**
   * Writes the stored row has seen (1 after the first); absent or 0 for a session never
   * stored. `save` writes only over the revision it was read at.
   */
  revision?: number;
}

/** The sessions table. */
export interface Sessions {
  get(id: string): Promise<SessionRecord | undefined>;
  /** The stored revision of a session, undefined when none is stored: a cheap staleness check. */
  revision(id: string): Promise<number | undefined>;
  /** Writes the whole record (insert or replace), whatever another process stored meanwhile. */
  put(session: SessionRecord): Promise<void>;
  /**
   * Writes the whole record if the stored row is still at `session.revision` (no row, for
   * a revision of 0 or none). Returns the new revision, or undefined when another process
   * wrote the session first; then nothing was written.
   */
  save(session: SessionRecord): Promise<number | undefined>;
  /** Most recently active first. */
  list(query?: { owner?: string; limit?: number }): Promise<SessionRecord[]>;
}

function fromRow(row: SessionsTable): SessionRecord {
  return {
    id: row.id,
    owner: row.owner,
    requestedModel: row.requested_model,
    pinnedModel: row.pinned_model,
    turns: Number(row.turns),
    history: JSON.parse(row.history) as SessionSwitch[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.model_version
      ? { modelVersion: JSON.parse(row.model_version) as SessionModelVersion }
      : {}),
    revision: Number(row.revision),
  };
}

/** The columns a write replaces (all but the id, the creation time and the revision). */
function changedColumns(session: SessionRecord) {
  return {
    owner: session.owner,
    requested_model: session.requestedModel,
    pinned_model: session.pinnedModel,
    turns: session.turns,
    history: JSON.stringify(session.history),
    updated_at: session.updatedAt,
    model_version: session.modelVersion ? JSON.stringify(session.modelVersion) : null,
  };
}

/** Sessions over the `sessions` table. */
export function createSessions(db: Kysely<DatabaseSchema>): Sessions {
  return {
    async get(id) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async revision(id) {
      const row = await db
        .selectFrom('sessions')
        .select('revision')
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.revision);
    },
    async put(session) {
      const values = changedColumns(session);
      await db
        .insertInto('sessions')
        .values({ id: session.id, created_at: session.createdAt, ...values, revision: 1 })
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet({ ...values, revision: sql<number>`sessions.revision + 1` }),
        )
        .execute();
    },
    async save(session) {
      const expected = session.revision ?? 0;
      const next = expected + 1;
      const values = changedColumns(session);
      // Insert when no row exists; else update only a row still at the expected revision.
      const result = await db
        .insertInto('sessions')
        .values({ id: session.id, created_at: session.createdAt, ...values, revision: next })
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet({ ...values, revision: next })
            .where('sessions.revision', '=', expected),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? next : undefined;
    },
    async list(query = {}) {
      let select = db.selectFrom('sessions').selectAll();
      if (query.owner !== undefined) select = select.where('owner', '=', query.owner);
      const rows = await select
        .orderBy('updated_at', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map(fromRow);
    },
  };
}
