import type {
  UserAudit,
  UserLimitOverrides,
  UserRecord,
  UserRole,
  Users,
} from '../storage/index.js';
import type { AccessControl } from './access-control.js';
import { generateToken } from './access-control.js';
import { type ExpiryRequest, resolveExpiry, TokenExpiryError } from './token-expiry.js';
import { hashToken } from './token-hash.js';

/** A user just added (or given a new token), with the token shown this once (only its hash is stored). */
export interface IssuedUser {
  user: UserListing;
  token: string;
}

/** A user as listings show it: the record, and whether its token works now. */
export interface UserListing extends UserRecord {
  /** `active`, `expired` (the token's expiry passed) or `revoked`. */
  status: 'active' | 'expired' | 'revoked';
}

/** What adding a user may set besides its name and role. */
export interface NewUserOptions {
  /** When its token expires (default: never). */
  expiry?: ExpiryRequest;
  /** Its own limits over the configured defaults. */
  limits?: UserLimitOverrides;
  /** Who adds it, for the audit log (unaudited when absent). */
  by?: UserAudit;
}

/**
 * Adding, rotating, limiting and revoking users: their tokens are generated here and
 * stored only as hashes; every change given `by` is audited in its own transaction.
 */
export function createUserTokens(
  users: Users,
  access: AccessControl,
  now: () => number = Date.now,
) {
  const listing = (user: UserRecord): UserListing => ({
    ...user,
    status:
      user.revokedAt !== null
        ? 'revoked'
        : user.expiresAt !== null && user.expiresAt <= now()
          ? 'expired'
          : 'active',
  });
  const find = async (idOrName: string) =>
    (await users.get(idOrName)) ?? (await users.findByName(idOrName));

  return {
    /** Adds a user and returns its token; `UserConflictError` when the name is taken. */
    async add(
      name: string,
      role: UserRole = 'user',
      options: NewUserOptions = {},
    ): Promise<IssuedUser> {
      const expiresAt = resolveExpiry(options.expiry ?? {}, now()) ?? null;
      const token = generateToken('tta_user');
      const user = await users.add(
        {
          name,
          role,
          tokenHash: hashToken(token),
          expiresAt,
          ...(options.limits ? { limits: options.limits } : {}),
        },
        options.by,
      );
      await access.usersChanged();
      return { user: listing(user), token };
    },

    /** Revokes a user by id or name; false when no active user matched. */
    async revoke(idOrName: string, by?: UserAudit): Promise<boolean> {
      const user = await find(idOrName);
      if (!user) return false;
      const revoked = await users.revoke(user.id, by);
      await access.usersChanged();
      return revoked;
    },

    /**
     * Gives a user (by id or name) a new token; the old one stops working. The expiry is
     * kept unless `expiry` sets another; an expiry that has passed must be replaced
     * (`TokenExpiryError`). Undefined when no active user matched.
     */
    async rotate(
      idOrName: string,
      options: { expiry?: ExpiryRequest; by?: UserAudit } = {},
    ): Promise<IssuedUser | undefined> {
      const user = await find(idOrName);
      if (!user || user.revokedAt !== null) return undefined;
      const asked = resolveExpiry(options.expiry ?? {}, now());
      if (asked === undefined && user.expiresAt !== null && user.expiresAt <= now()) {
        throw new TokenExpiryError(
          `${user.name}'s token expired at ${new Date(user.expiresAt).toISOString()}; give the new token a lifetime (expiresIn, e.g. 30d) or make it never expire.`,
        );
      }
      const token = generateToken('tta_user');
      const rotated = await users.replaceTokenHash(
        user.id,
        hashToken(token),
        asked === undefined ? {} : { expiresAt: asked },
        options.by,
      );
      await access.usersChanged();
      if (!rotated) return undefined;
      const updated = await users.get(user.id);
      return updated && { user: listing(updated), token };
    },

    /** Replaces a user's own limits (by id or name); undefined when no active user matched. */
    async setLimits(
      idOrName: string,
      limits: UserLimitOverrides,
      by?: UserAudit,
    ): Promise<UserListing | undefined> {
      const user = await find(idOrName);
      if (!user) return undefined;
      const updated = await users.setLimits(user.id, limits, by);
      await access.usersChanged();
      return updated && listing(updated);
    },

    /** One user by id or name (revoked ones too), or undefined. */
    async get(idOrName: string): Promise<UserListing | undefined> {
      const user = await find(idOrName);
      return user && listing(user);
    },

    /** Every user, revoked ones included, with whether its token works now. */
    list: async (): Promise<UserListing[]> => (await users.list()).map(listing),
  };
}

/** User management of a gateway. */
export type UserTokens = ReturnType<typeof createUserTokens>;
