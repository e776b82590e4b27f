import type { Kysely } from 'kysely';
import type { SessionModelVersion } from '../spec/model-version.js';
import type { DatabaseSchema } from './schema.js';

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
}

/** The sessions table. */
export interface Sessions {
  get(id: string): Promise<SessionRecord | undefined>;
  /** Writes the whole record (insert or replace). */
  put(session: SessionRecord): Promise<void>;
  /** Most recently active first. */
  list(query?: { owner?: string; limit?: number }): Promise<SessionRecord[]>;
}

type SessionRow = {
  id: string;
  owner: string;
  requested_model: string;
  pinned_model: string | null;
  turns: number;
  history: string;
  created_at: number | bigint;
  updated_at: number | bigint;
  model_version?: string | null;
};

function fromRow(row: SessionRow): SessionRecord {
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
    async put(session) {
      const values = {
        owner: session.owner,
        requested_model: session.requestedModel,
        pinned_model: session.pinnedModel,
        turns: session.turns,
        history: JSON.stringify(session.history),
        updated_at: session.updatedAt,
        model_version: session.modelVersion ? JSON.stringify(session.modelVersion) : null,
      };
      await db
        .insertInto('sessions')
        .values({ id: session.id, created_at: session.createdAt, ...values })
        .onConflict((conflict) => conflict.column('id').doUpdateSet(values))
        .execute();
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
