import { type Kysely, sql } from 'kysely';
import type { SessionModelVersion } from '../spec/model-version.js';
import { batchStatement } from './batch-statement.js';
import type { DatabaseSchema, SessionsTable } from './schema.js';
import { statementChunks } from './statement-chunks.js';

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
  /** Resolves once every save asked for so far is written (or failed): before closing. */
  flush(): Promise<void>;
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

/** A write waiting for the next batch, and whom to tell how it went. */
interface PendingSave {
  session: SessionRecord;
  settle(revision: number | undefined): void;
  fail(error: unknown): void;
}

/**
 * Most sessions one statement writes (10 parameters each, far below any driver's limit);
 * statements write power-of-two counts, so they have few shapes (see `statementChunks`).
 */
const sessionsPerStatement = 64;

/**
 * Splits writes into statements of distinct sessions, in order: one statement may not
 * touch a row twice, and a session saved twice in one turn must be written in turn.
 */
function statementsOf(batch: readonly PendingSave[]): PendingSave[][] {
  const runs: PendingSave[][] = [];
  let current: PendingSave[] = [];
  let ids = new Set<string>();
  for (const pending of batch) {
    if (ids.has(pending.session.id)) {
      runs.push(current);
      current = [];
      ids = new Set();
    }
    current.push(pending);
    ids.add(pending.session.id);
  }
  if (current.length > 0) runs.push(current);
  return runs.flatMap((run) => statementChunks(run, sessionsPerStatement));
}

/** How long a save waits for others to share its statement, milliseconds. */
export const sessionBatchMs = 20;

/**
 * Sessions over the `sessions` table. Every turn of every session is saved, so saves go
 * out together: the first waits up to `batchMs` (or until `sessionsPerStatement` wait)
 * and one statement writes them all. A statement and commit per turn cost more than the
 * rest of a request's bookkeeping (the session writes were a third of what model
 * selection, a session header and a bearer key add to a request). The dispatcher does
 * not wait for them; `flush` (called on close) writes what still waits.
 */
export function createSessions(
  db: Kysely<DatabaseSchema>,
  options: { batchMs?: number } = {},
): Sessions {
  const batchMs = options.batchMs ?? sessionBatchMs;
  let pending: PendingSave[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Batches are written one after another, so a session's writes land in the order asked.
  let writing: Promise<void> = Promise.resolve();

  /**
   * The statement writing `rows` sessions: inserts those with no row, and updates each
   * stored one only while it is at the revision its write was computed from
   * (`excluded.revision - 1`); it returns the rows written.
   */
  function upsert(rows: ReadonlyArray<SessionsTable & { revision: number }>) {
    return db
      .insertInto('sessions')
      .values(rows)
      .onConflict((conflict) =>
        conflict
          .column('id')
          .doUpdateSet((update) => ({
            owner: update.ref('excluded.owner'),
            requested_model: update.ref('excluded.requested_model'),
            pinned_model: update.ref('excluded.pinned_model'),
            turns: update.ref('excluded.turns'),
            history: update.ref('excluded.history'),
            updated_at: update.ref('excluded.updated_at'),
            model_version: update.ref('excluded.model_version'),
            revision: update.ref('excluded.revision'),
          }))
          .where('sessions.revision', '=', sql<number>`excluded.revision - 1`),
      )
      .returning(['id', 'revision']);
  }

  // Compiled once per row count: building it per batch cost as much as running it.
  const runUpsert = batchStatement('sessions', upsert);

  async function write(statement: readonly PendingSave[]): Promise<void> {
    const rows = statement.map(({ session }) => ({
      id: session.id,
      created_at: session.createdAt,
      ...changedColumns(session),
      revision: (session.revision ?? 0) + 1,
    }));
    try {
      const result = await runUpsert(db, rows);
      const stored = new Map(result.rows.map((row) => [row.id, Number(row.revision)]));
      for (const { session, settle } of statement) settle(stored.get(session.id));
    } catch (error) {
      for (const { fail } of statement) fail(error);
    }
  }

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    if (batch.length === 0) return;
    pending = [];
    writing = writing.then(async () => {
      for (const statement of statementsOf(batch)) await write(statement);
    });
  }

  return {
    flush() {
      flush();
      return writing;
    },
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
    save(session) {
      return new Promise<number | undefined>((settle, fail) => {
        pending.push({ session, settle, fail });
        if (pending.length >= sessionsPerStatement) flush();
        // Unref'd: a waiting save must not keep a finished process alive (close flushes).
        else if (timer === undefined) timer = setTimeout(flush, batchMs).unref();
      });
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
