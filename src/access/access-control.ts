import { randomBytes } from 'node:crypto';
import type { Users } from '../storage/index.js';
import { anonymousCaller, type Caller, operatorOwner } from './caller.js';
import { hashToken, sameDigest } from './token-hash.js';

/** Where the admin token's hash is kept between starts. */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

const adminHashKey = 'admin_token_sha256';
/** How long a user token lookup is trusted before the database is asked again (revocation delay). */
const userCacheMs = 5_000;

/** Who may call what: the admin token for `/api/*`, user tokens and client keys for `/v1/*`. */
export interface AccessControl {
  /** The caller a token belongs to; undefined for an unknown token (or none). */
  identify(token: string | undefined): Promise<Caller | undefined>;
  /** The caller of a data-plane request, or undefined when it must be refused. */
  dataPlaneCaller(token: string | undefined): Promise<Caller | undefined>;
  /** True when the data plane demands a token (client keys configured or users exist). */
  readonly dataPlaneLocked: boolean;
  /** A newly generated admin token, present only on the start that created it. */
  readonly createdAdminToken: string | undefined;
  /** Where the admin token comes from, for messages. */
  readonly adminTokenSource: 'environment' | 'stored';
  /** Forgets cached user lookups and re-reads whether users exist (after one was added or revoked). */
  usersChanged(): Promise<void>;
}

/** Generates a fresh token with a readable prefix, e.g. `tta_admin_...`, 32 random bytes. */
export function generateToken(prefix: 'tta_admin' | 'tta_user'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Replaces the stored admin token with a new one and returns it (shown once). */
export async function rotateAdminToken(settings: SettingsStore): Promise<string> {
  const token = generateToken('tta_admin');
  await settings.set(adminHashKey, hashToken(token));
  return token;
}

/**
 * Builds access control. The admin token is `TTA_MODELS_ADMIN_TOKEN` when set;
 * otherwise the stored hash, generating and storing a new token on first start.
 */
export async function createAccessControl(options: {
  settings: SettingsStore;
  users: Users;
  clientKeys: readonly string[];
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}): Promise<AccessControl> {
  const now = options.now ?? Date.now;
  const fromEnvironment = options.env?.TTA_MODELS_ADMIN_TOKEN;
  let createdAdminToken: string | undefined;
  let adminHash: string;
  if (fromEnvironment) {
    adminHash = hashToken(fromEnvironment);
  } else {
    const stored = await options.settings.get(adminHashKey);
    if (stored) {
      adminHash = stored;
    } else {
      createdAdminToken = await rotateAdminToken(options.settings);
      adminHash = hashToken(createdAdminToken);
    }
  }
  const clientHashes = new Set(options.clientKeys.map(hashToken));
  const activeUsersExist = async () =>
    (await options.users.list()).some((user) => user.revokedAt === null);
  let hasUsers = await activeUsersExist();
  let usersCheckedAt = now();
  const userCache = new Map<string, { caller: Caller | undefined; at: number }>();

  async function identify(token: string | undefined): Promise<Caller | undefined> {
    if (token === undefined) return undefined;
    const hash = hashToken(token);
    if (sameDigest(hash, adminHash)) return { kind: 'admin', owner: operatorOwner, name: 'admin' };
    if (clientHashes.has(hash)) return { kind: 'client', owner: operatorOwner };
    const cached = userCache.get(hash);
    if (cached && now() - cached.at < userCacheMs) return cached.caller;
    const user = await options.users.findByTokenHash(hash);
    const caller: Caller | undefined = user && {
      kind: user.role === 'admin' ? 'admin' : 'user',
      owner: user.id,
      name: user.name,
    };
    // Bounded: unknown tokens must not grow the cache without limit.
    if (userCache.size > 10_000) userCache.clear();
    userCache.set(hash, { caller, at: now() });
    return caller;
  }

  /**
   * Another process (a replica sharing the database, the CLI) may add or revoke users:
   * whether any exist is re-read at most every `userCacheMs`. A failed read keeps the
   * last answer.
   */
  async function recheckUsers(): Promise<void> {
    if (now() - usersCheckedAt < userCacheMs) return;
    usersCheckedAt = now();
    hasUsers = await activeUsersExist().catch(() => hasUsers);
  }

  const locked = () => clientHashes.size > 0 || hasUsers;
  return {
    identify,
    async dataPlaneCaller(token) {
      const caller = await identify(token);
      if (caller) return caller;
      if (clientHashes.size === 0) await recheckUsers();
      return locked() ? undefined : anonymousCaller;
    },
    get dataPlaneLocked() {
      return locked();
    },
    createdAdminToken,
    adminTokenSource: fromEnvironment ? 'environment' : 'stored',
    async usersChanged() {
      userCache.clear();
      hasUsers = await activeUsersExist();
      usersCheckedAt = now();
    },
  };
}
