import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, DatabaseSchema } from './schema.js';
import type { WriteLock } from './write-lock.js';

/** Where a key stands after its last check. `unchecked` until the first one. */
export type ApiKeyStatus =
  | 'unchecked'
  | 'valid'
  | 'invalid'
  | 'out_of_credit'
  | 'rate_limited'
  | 'unreachable';

/** Every status, in a stable order (for validation and documentation). */
export const apiKeyStatuses: readonly ApiKeyStatus[] = [
  'unchecked',
  'valid',
  'invalid',
  'out_of_credit',
  'rate_limited',
  'unreachable',
];

/** One stored provider key, as the key vault reads and writes it. `sealed` is ciphertext. */
export interface ApiKeyRecord {
  /** `key_<random>`. */
  id: string;
  /** A user id, or `operator` for shared provider keys. */
  owner: string;
  /** Configured provider id the key is for, e.g. `openrouter`. */
  providerId: string;
  /** Owner's label, or null. */
  label: string | null;
  /** Last four characters of the secret. */
  last4: string;
  /** The sealed secret envelope; only the vault can open it. */
  sealed: string;
  /** When added, epoch milliseconds. */
  createdAt: number;
  /** Last upstream use, epoch milliseconds, or null. */
  lastUsedAt: number | null;
  /** Result of the last check. */
  status: ApiKeyStatus;
  /** What the last check said, or null. */
  statusMessage: string | null;
  /** When the status was last set, epoch milliseconds, or null. */
  checkedAt: number | null;
}

/** A new sealed value for one row, as `resealAll` takes it. */
export interface ResealRow {
  /** The key id. */
  id: string;
  /** The sealed value the row holds now; the row is only rewritten if it still does. */
  previous: string;
  /** The new sealed value. */
  sealed: string;
}

/** Thrown by `resealAll` when the rows changed under it; nothing was written. */
export class ResealConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResealConflictError';
  }
}

/** The `api_keys` table behind a narrow interface. Never sees a plain secret. */
export interface ApiKeyStore {
  /** Adds a key; throws if the id exists. */
  insert(record: ApiKeyRecord): Promise<void>;
  /** One key, or undefined. */
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Keys, oldest first, optionally only one owner's and/or one provider's. */
  list(filter?: { owner?: string; providerId?: string }): Promise<ApiKeyRecord[]>;
  /** Removes a key; true when it existed. */
  delete(id: string): Promise<boolean>;
  /** Records a check's outcome; true when the key exists. */
  updateStatus(
    id: string,
    update: { status: ApiKeyStatus; statusMessage: string | null; checkedAt: number },
  ): Promise<boolean>;
  /** Records a use; true when the key exists. */
  touch(id: string, usedAt: number): Promise<boolean>;
  /**
   * Rewrites `sealed` of EVERY key in one transaction, and writes `settings` (e.g. the
   * new master-key fingerprint) in the same transaction. All or nothing: throws
   * `ResealConflictError`, writing nothing, when the rows given are not exactly the rows
   * stored or a row no longer holds its `previous` value. Returns the rows rewritten.
   */
  resealAll(
    rows: readonly ResealRow[],
    settings?: Readonly<Record<string, string>>,
  ): Promise<number>;
}

/** Lock name shared by adding keys and resealing them all. */
const keysLock = 'api_keys';

/**
 * The key store over `api_keys`; `now` stamps settings written by `resealAll`, `lock`
 * keeps a key added by another process from slipping past a reseal.
 */
export function createApiKeyStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
  lock: WriteLock,
): ApiKeyStore {
  return {
    async insert(record) {
      await db.transaction().execute(async (transaction) => {
        await lock(transaction, keysLock);
        await transaction.insertInto('api_keys').values(toRow(record)).execute();
      });
    },

    async get(id) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async list(filter = {}) {
      let query = db.selectFrom('api_keys').selectAll();
      if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
      if (filter.providerId !== undefined)
        query = query.where('provider_id', '=', filter.providerId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(fromRow);
    },

    async delete(id) {
      const result = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async updateStatus(id, update) {
      const result = await db
        .updateTable('api_keys')
        .set({
          status: update.status,
          status_message: update.statusMessage,
          checked_at: Math.round(update.checkedAt),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async touch(id, usedAt) {
      const result = await db
        .updateTable('api_keys')
        .set({ last_used_at: Math.round(usedAt) })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async resealAll(rows, settings = {}) {
      return db.transaction().execute(async (transaction) => {
        await lock(transaction, keysLock);
        const stored = await transaction
          .selectFrom('api_keys')
          .select(({ fn }) => fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow();
        if (
          Number(stored.count) !== rows.length ||
          new Set(rows.map((row) => row.id)).size !== rows.length
        ) {
          throw new ResealConflictError(
            `the vault holds ${Number(stored.count)} keys but ${rows.length} were resealed; keys changed meanwhile, nothing was written`,
          );
        }
        for (const row of rows) {
          const result = await transaction
            .updateTable('api_keys')
            .set({ sealed: row.sealed })
            .where('id', '=', row.id)
            .where('sealed', '=', row.previous)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) {
            throw new ResealConflictError(
              `key ${row.id} was removed or changed meanwhile; nothing was written`,
            );
          }
        }
        const updatedAt = Math.round(now());
        for (const [key, value] of Object.entries(settings)) {
          await transaction
            .insertInto('settings')
            .values({ key, value, updated_at: updatedAt })
            .onConflict((conflict) =>
              conflict.column('key').doUpdateSet({ value, updated_at: updatedAt }),
            )
            .execute();
        }
        return rows.length;
      });
    },
  };
}

function toRow(record: ApiKeyRecord): ApiKeysTable {
  return {
    id: record.id,
    owner: record.owner,
    provider_id: record.providerId,
    label: record.label,
    last4: record.last4,
    sealed: record.sealed,
    created_at: Math.round(record.createdAt),
    last_used_at: record.lastUsedAt === null ? null : Math.round(record.lastUsedAt),
    status: record.status,
    status_message: record.statusMessage,
    checked_at: record.checkedAt === null ? null : Math.round(record.checkedAt),
  };
}

function fromRow(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    owner: row.owner,
    providerId: row.provider_id,
    label: row.label,
    last4: row.last4,
    sealed: row.sealed,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    status: (apiKeyStatuses as readonly string[]).includes(row.status)
      ? (row.status as ApiKeyStatus)
      : 'unchecked',
    statusMessage: row.status_message,
    checkedAt: row.checked_at === null ? null : Number(row.checked_at),
  };
}
