import { randomBytes } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditTable, DatabaseSchema } from './schema.js';

/** How a change reached the gateway. */
export type AuditChannel = 'api' | 'cli' | 'system';

/** One change an administrator (or the gateway itself) made: who, when, what and why. */
export interface AuditEntry {
  /** `aud_<random>`. */
  id: string;
  /** When, epoch milliseconds. */
  at: number;
  /** Who: `admin`, a user token's name, or `system` for automatic resolutions. */
  actor: string;
  /** Through what: the HTTP API, the CLI, or the gateway on its own. */
  channel: AuditChannel;
  /** What, e.g. `versions.pin`, `versions.rollback`, `versions.migrate`. */
  action: string;
  /** What it was done to, e.g. `route:story`. */
  subject: string;
  /** Why, in the actor's words (or the gateway's, for automatic ones). */
  reason: string;
  /** The details: from and to, the routes rewritten, ... (JSON-serialisable). */
  detail: Record<string, unknown>;
}

/** Who makes a change and through what; every audited operation takes one. */
export type AuditActor = Pick<AuditEntry, 'actor' | 'channel'>;

/** What the audit log can be filtered by (all optional; newest first). */
export interface AuditQuery {
  /** How many entries at most (1-1000, default 50). */
  limit?: number;
  /** Exactly this subject, e.g. `user:ada`. */
  subject?: string;
  /** Exactly this action, or every action under a prefix ending in `*`, e.g. `users.*`. */
  action?: string;
  /** Exactly this actor. */
  actor?: string;
  /** Only changes made through this channel. */
  channel?: AuditChannel;
  /** Only changes at or after this time, epoch milliseconds. */
  since?: number;
  /** Only changes before this time, epoch milliseconds. */
  until?: number;
}

/** An entry to record; id and time are filled in when missing. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & Partial<Pick<AuditEntry, 'id' | 'at'>>;

/** The audit table, read side (writes happen inside the transactions of the changes they record). */
export interface AuditLog {
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Records one entry on its own (for changes that have no transaction of their own). */
  add(entry: NewAuditEntry): Promise<AuditEntry>;
}

let sequence = 0;

/**
 * `<prefix>_<time><sequence><random>`: ids that sort by creation, even within one
 * millisecond of one process, so "newest first" is well defined.
 */
export function sortableId(prefix: string, at: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  const time = Math.max(0, Math.round(at)).toString(36).padStart(9, '0');
  return `${prefix}_${time}${sequence.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}

/** Inserts an audit entry with `executor` (a transaction, so it commits with its change). */
export async function insertAuditEntry(
  executor: Kysely<DatabaseSchema>,
  entry: NewAuditEntry,
  now: () => number,
): Promise<AuditEntry> {
  const at = entry.at ?? Math.round(now());
  const stored: AuditEntry = { ...entry, at, id: entry.id ?? sortableId('aud', at) };
  await executor
    .insertInto('audit')
    .values({
      id: stored.id,
      at: stored.at,
      actor: stored.actor,
      channel: stored.channel,
      action: stored.action,
      subject: stored.subject,
      reason: stored.reason,
      detail: JSON.stringify(stored.detail),
    })
    .execute();
  return stored;
}

/** The audit log over the `audit` table. */
export function createAuditLog(db: Kysely<DatabaseSchema>, now: () => number): AuditLog {
  return {
    async list(query = {}) {
      let select = db.selectFrom('audit').selectAll();
      if (query.subject !== undefined) select = select.where('subject', '=', query.subject);
      if (query.action?.endsWith('*')) {
        // A prefix: `users.*` is every users action. Escaping keeps `_` and `%` literal.
        const prefix = query.action.slice(0, -1).replace(/[\\%_]/g, (found) => `\\${found}`);
        select = select.where(sql<boolean>`action like ${`${prefix}%`} escape '\\'`);
      } else if (query.action !== undefined) select = select.where('action', '=', query.action);
      if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
      if (query.channel !== undefined) select = select.where('channel', '=', query.channel);
      if (query.since !== undefined) select = select.where('at', '>=', query.since);
      if (query.until !== undefined) select = select.where('at', '<', query.until);
      const rows = await select
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map(auditFromRow);
    },
    add: (entry) => insertAuditEntry(db, entry, now),
  };
}

function auditFromRow(row: Selectable<AuditTable>): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    channel: row.channel === 'cli' || row.channel === 'system' ? row.channel : 'api',
    action: row.action,
    subject: row.subject,
    reason: row.reason,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
