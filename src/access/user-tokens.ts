import type { UserRecord, UserRole, Users } from '../storage/index.js';
import type { AccessControl } from './access-control.js';
import { generateToken } from './access-control.js';
import { hashToken } from './token-hash.js';

/** A user just added, with the token shown this once (only its hash is stored). */
export interface IssuedUser {
  user: UserRecord;
  token: string;
}

/** Adding and revoking users: their tokens are generated here and stored only as hashes. */
export function createUserTokens(users: Users, access: AccessControl) {
  return {
    /** Adds a user and returns its token; `UserConflictError` when the name is taken. */
    async add(name: string, role: UserRole = 'user'): Promise<IssuedUser> {
      const token = generateToken('tta_user');
      const user = await users.add({ name, role, tokenHash: hashToken(token) });
      await access.usersChanged();
      return { user, token };
    },
    /** Revokes a user by id or name; false when no active user matched. */
    async revoke(idOrName: string): Promise<boolean> {
      const user = (await users.get(idOrName)) ?? (await users.findByName(idOrName));
      if (!user) return false;
      const revoked = await users.revoke(user.id);
      await access.usersChanged();
      return revoked;
    },
    /** Every user, revoked ones included. */
    list: () => users.list(),
  };
}

/** User management of a gateway. */
export type UserTokens = ReturnType<typeof createUserTokens>;
