/**
 * Tells a database that is unavailable for a while (locked by another process, out of
 * disk, restarting, unreachable) from a bug: the first is worth a retry, the second is not.
 * Only storage knows the drivers' error codes; the HTTP layer asks this module.
 */

/** Why the database cannot serve right now, in words an operator acts on. */
export type DatabaseUnavailableReason =
  /** SQLite: another process holds the write lock longer than the busy timeout. */
  | 'locked'
  /** SQLite: the disk (or the database's size cap) is full. */
  | 'full'
  /** PostgreSQL: the server refuses connections, is restarting, or dropped the connection. */
  | 'unreachable';

/** SQLite result codes (primary, before any `_EXTENDED` suffix) that pass once the cause does. */
const sqliteCodes: Readonly<Record<string, DatabaseUnavailableReason>> = {
  SQLITE_BUSY: 'locked',
  SQLITE_LOCKED: 'locked',
  SQLITE_FULL: 'full',
};

/** Socket errors of a connection that failed or broke. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of a server going away or not ready: class 08 (connection
 * exception), 57P01-57P03 (shutdown, crash shutdown, starting up), 53300 (too many
 * connections).
 */
function isPostgresUnavailableState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === '53300';
}

/** `pg` reports a dropped connection with a message and no code. */
const droppedConnectionMessage =
  /^Connection terminated|^Client has encountered a connection error|^timeout exceeded when trying to connect/;

/** The reason for one error, ignoring its causes. */
function reasonOf(error: unknown): DatabaseUnavailableReason | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    const primary = code.startsWith('SQLITE_') ? code.split('_', 2).join('_') : code;
    const sqlite = sqliteCodes[primary];
    if (sqlite) return sqlite;
    if (socketCodes.has(code) || isPostgresUnavailableState(code)) return 'unreachable';
  }
  if (typeof message === 'string' && droppedConnectionMessage.test(message)) return 'unreachable';
  return undefined;
}

/**
 * Why the database is unavailable for a while, when `error` (or one of its causes, or an
 * error inside an `AggregateError`) says so; undefined for any other error.
 */
export function databaseUnavailableReason(error: unknown): DatabaseUnavailableReason | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    const reason = reasonOf(current);
    if (reason) return reason;
    if (current instanceof AggregateError) pending.push(...current.errors);
    if (current instanceof Error) pending.push(current.cause);
  }
  return undefined;
}

/** What each reason means for the operator, one sentence. */
export const databaseUnavailableExplanations: Readonly<Record<DatabaseUnavailableReason, string>> =
  {
    locked: 'another process holds the database lock',
    full: 'the disk holding the database is full',
    unreachable: 'the database server cannot be reached',
  };
