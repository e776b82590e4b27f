import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, UsersTable } from './schema.js';
import type { WriteLock } from './write-lock.js';

/** What a user may do: `admin` manages everything, `user` only its own keys. */
export type UserRole = 'admin' | 'user';

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
}

/** Thrown by `users.add` for a name (or token hash) that is taken; nothing was written. */
export class UserConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserConflictError';
  }
}

/** The `users` table behind a narrow interface. */
export interface Users {
  /** Adds a user with a fresh `usr_` id; throws `UserConflictError` if the name is taken. */
  add(input: { name: string; tokenHash: string; role: UserRole }): Promise<UserRecord>;
  /** One user by id (revoked ones too), or undefined. */
  get(id: string): Promise<UserRecord | undefined>;
  /** One user by name (revoked ones too), or undefined. */
  findByName(name: string): Promise<UserRecord | undefined>;
  /** The ACTIVE user holding the token with this SHA-256 hex hash, or undefined. */
  findByTokenHash(tokenHash: string): Promise<UserRecord | undefined>;
  /** Every user, revoked ones included, oldest first. */
  list(): Promise<UserRecord[]>;
  /** Revokes an active user; true when it was active. */
  revoke(id: string): Promise<boolean>;
  /** Gives an active user a new token hash (token rotation); true when it was active. */
  replaceTokenHash(id: string, tokenHash: string): Promise<boolean>;
}

/**
 * Users over the `users` table; `now` stamps creation and revocation, `lock` makes two
 * processes adding the same name at once end in one user and one `UserConflictError`.
 */
export function createUsers(db: Kysely<DatabaseSchema>, now: () => number, lock: WriteLock): Users {
  return {
    async add(input) {
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
        const row: UsersTable = {
          id: `usr_${randomBytes(8).toString('hex')}`,
          name: input.name,
          token_hash: input.tokenHash,
          role: input.role,
          created_at: Math.round(now()),
          revoked_at: null,
        };
        await transaction.insertInto('users').values(row).execute();
        return fromRow(row);
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

    async revoke(id) {
      const result = await db
        .updateTable('users')
        .set({ revoked_at: Math.round(now()) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async replaceTokenHash(id, tokenHash) {
      const result = await db
        .updateTable('users')
        .set({ token_hash: tokenHash })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

function fromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role === 'admin' ? 'admin' : 'user',
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
