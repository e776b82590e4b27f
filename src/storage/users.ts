import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { type AuditActor, insertAuditEntry } from './audit-log.js';
import type { DatabaseSchema, UsersTable } from './schema.js';
import type { WriteLock } from './write-lock.js';

/** What a user may do: `admin` manages everything, `user` only its own keys. */
export type UserRole = 'admin' | 'user';

/** The limits a user's chat requests are held to; a missing field has no limit. */
export interface UsageLimits {
  /** Requests per minute. */
  requestsPerMinute?: number;
  /** Requests per UTC day. */
  requestsPerDay?: number;
  /** Prompt plus completion tokens per UTC day. */
  tokensPerDay?: number;
  /** Spend per UTC day, USD (reported by the upstream, else estimated from catalog prices). */
  costPerDayUsd?: number;
}

/**
 * One user's own limits over the defaults of config.yaml's `limits.users`: a number
 * replaces the default, `null` lifts it for this user, a missing field keeps it.
 */
export type UserLimitOverrides = { [Limit in keyof UsageLimits]?: number | null };

/** One user, as the rest of the gateway sees it (the token hash stays in storage). */
export interface UserRecord {
  /** `usr_<random>`. */
  id: string;
  /** Unique name. */
  name: string;
  /** What the user may do. */
  role: UserRole;
  /** When added, epoch milliseconds. */
  createdAt: number;
  /** When revoked, epoch milliseconds; null while active. */
  revokedAt: number | null;
  /** When the token stops working, epoch milliseconds; null: never. */
  expiresAt: number | null;
  /** The user's own limits over the configured defaults (empty: the defaults). */
  limits: UserLimitOverrides;
}

/** Thrown by `users.add` for a name (or token hash) that is taken; nothing was written. */
export class UserConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserConflictError';
  }
}

/**
 * The audit entry a change writes in its own transaction: who, through what, and why.
 * The subject (`user:<name>`) and the detail (never a token or its hash) come from the change.
 */
export interface UserAudit extends AuditActor {
  /** Why, in the actor's words; may be empty. */
  reason?: string;
}

/** The `users` table behind a narrow interface. */
export interface Users {
  /** Adds a user with a fresh `usr_` id; throws `UserConflictError` if the name is taken. */
  add(
    input: {
      name: string;
      tokenHash: string;
      role: UserRole;
      expiresAt?: number | null;
      limits?: UserLimitOverrides;
    },
    audit?: UserAudit,
  ): Promise<UserRecord>;
  /** One user by id (revoked ones too), or undefined. */
  get(id: string): Promise<UserRecord | undefined>;
  /** One user by name (revoked ones too), or undefined. */
  findByName(name: string): Promise<UserRecord | undefined>;
  /** The non-revoked user holding the token with this SHA-256 hex hash (expired too), or undefined. */
  findByTokenHash(tokenHash: string): Promise<UserRecord | undefined>;
  /** Every user, revoked ones included, oldest first. */
  list(): Promise<UserRecord[]>;
  /** Revokes an active user; true when it was active. */
  revoke(id: string, audit?: UserAudit): Promise<boolean>;
  /**
   * Gives an active user a new token hash (token rotation), and a new expiry when
   * `expiresAt` is given (null: never); true when it was active.
   */
  replaceTokenHash(
    id: string,
    tokenHash: string,
    options?: { expiresAt?: number | null },
    audit?: UserAudit,
  ): Promise<boolean>;
  /** Replaces an active user's own limits; the updated user, or undefined when none is active. */
  setLimits(
    id: string,
    limits: UserLimitOverrides,
    audit?: UserAudit,
  ): Promise<UserRecord | undefined>;
}

/**
 * Users over the `users` table; `now` stamps creation and revocation, `lock` makes two
 * processes adding the same name at once end in one user and one `UserConflictError`.
 * Each change given an audit actor writes its audit entry in the same transaction.
 */
export function createUsers(db: Kysely<DatabaseSchema>, now: () => number, lock: WriteLock): Users {
  /** Writes the audit entry of a change to `user` inside `transaction` (when audited). */
  async function audit(
    transaction: Kysely<DatabaseSchema>,
    by: UserAudit | undefined,
    action: string,
    user: { name: string },
    detail: Record<string, unknown>,
  ): Promise<void> {
    if (by === undefined) return;
    await insertAuditEntry(
      transaction,
      {
        actor: by.actor,
        channel: by.channel,
        action,
        subject: `user:${user.name}`,
        reason: by.reason ?? '',
        detail,
      },
      now,
    );
  }

  return {
    async add(input, by) {
      return db.transaction().execute(async (transaction) => {
        await lock(transaction, 'users');
        const taken = await transaction
          .selectFrom('users')
          .select(['name', 'token_hash'])
          .where((where) =>
            where.or([where('name', '=', input.name), where('token_hash', '=', input.tokenHash)]),
          )
          .executeTakeFirst();
        if (taken !== undefined) {
          throw new UserConflictError(
            taken.name === input.name
              ? `a user named "${input.name}" already exists`
              : 'that token is already in use; generate a new one',
          );
        }
        const limits = input.limits ?? {};
        const row: UsersTable = {
          id: `usr_${randomBytes(8).toString('hex')}`,
          name: input.name,
          token_hash: input.tokenHash,
          role: input.role,
          created_at: Math.round(now()),
          revoked_at: null,
          expires_at: input.expiresAt == null ? null : Math.round(input.expiresAt),
          limits: Object.keys(limits).length > 0 ? JSON.stringify(limits) : null,
        };
        await transaction.insertInto('users').values(row).execute();
        const user = fromRow(row);
        await audit(transaction, by, 'users.add', user, {
          id: user.id,
          role: user.role,
          expiresAt: user.expiresAt,
          limits: user.limits,
        });
        return user;
      });
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async findByName(name) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async findByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async list() {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    async revoke(id, by) {
      return db.transaction().execute(async (transaction) => {
        const revoked = await transaction
          .updateTable('users')
          .set({ revoked_at: Math.round(now()) })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returning(['id', 'name'])
          .executeTakeFirst();
        if (revoked === undefined) return false;
        await audit(transaction, by, 'users.revoke', revoked, { id: revoked.id });
        return true;
      });
    },

    async replaceTokenHash(id, tokenHash, options = {}, by) {
      return db.transaction().execute(async (transaction) => {
        const expiry =
          options.expiresAt === undefined
            ? {}
            : { expires_at: options.expiresAt === null ? null : Math.round(options.expiresAt) };
        const rotated = await transaction
          .updateTable('users')
          .set({ token_hash: tokenHash, ...expiry })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returning(['id', 'name', 'expires_at'])
          .executeTakeFirst();
        if (rotated === undefined) return false;
        await audit(transaction, by, 'users.rotate', rotated, {
          id: rotated.id,
          expiresAt: rotated.expires_at === null ? null : Number(rotated.expires_at),
        });
        return true;
      });
    },

    async setLimits(id, limits, by) {
      return db.transaction().execute(async (transaction) => {
        const before = await transaction
          .selectFrom('users')
          .select('limits')
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (before === undefined) return undefined;
        const row = await transaction
          .updateTable('users')
          .set({ limits: Object.keys(limits).length > 0 ? JSON.stringify(limits) : null })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const user = fromRow(row);
        await audit(transaction, by, 'users.limits', user, {
          id: user.id,
          from: parseLimits(before.limits),
          to: user.limits,
        });
        return user;
      });
    },
  };
}

function parseLimits(text: string | null): UserLimitOverrides {
  return text === null ? {} : (JSON.parse(text) as UserLimitOverrides);
}

function fromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role === 'admin' ? 'admin' : 'user',
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    limits: parseLimits(row.limits),
  };
}
