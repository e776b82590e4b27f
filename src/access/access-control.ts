import { randomBytes } from 'node:crypto';
import { databaseUnavailableReason, type Users } from '../storage/index.js';
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
  /** The caller a token belongs to; undefined for an unknown, revoked or expired token (or none). */
  identify(token: string | undefined): Promise<Caller | undefined>;
  /**
   * When a user token that `identify` refused expired, epoch milliseconds; undefined when
   * it is unknown or revoked instead (for the message of the refusal).
   */
  expiredAt(token: string | undefined): Promise<number | undefined>;
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
  /** Re-reads the stored admin token's hash (another process may have rotated it). */
  settingsChanged(): Promise<void>;
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
  let adminCheckedAt = now();

  /**
   * The stored admin token's hash, re-read at most every `userCacheMs`: `admin-token
   * --rotate` in another process (or a replica) takes effect on a running server without a
   * restart, and the old token stops working. A failed read keeps the last answer.
   */
  async function rereadAdminHash(): Promise<string> {
    adminCheckedAt = now();
    const stored = await options.settings.get(adminHashKey).catch(() => undefined);
    if (stored) adminHash = stored;
    return adminHash;
  }
  const currentAdminHash = (): string | Promise<string> =>
    fromEnvironment || now() - adminCheckedAt < userCacheMs ? adminHash : rereadAdminHash();

  const clientHashes = new Set(options.clientKeys.map(hashToken));
  // Revoked users count too: revoking the last user must not open the data plane to
  // anyone who can reach it (a gateway bound to the network would then serve strangers).
  const usersExist = async () => (await options.users.list()).length > 0;
  let hasUsers = await usersExist();
  let usersCheckedAt = now();
  const userCache = new Map<
    string,
    { caller: Caller | undefined; expiresAt: number | null; at: number }
  >();

  /** The user holding a token hash (cached for `userCacheMs`), with when its token expires. */
  async function lookUpUser(hash: string) {
    const cached = userCache.get(hash);
    if (cached && now() - cached.at < userCacheMs) return cached;
    let user: Awaited<ReturnType<Users['findByTokenHash']>>;
    try {
      user = await options.users.findByTokenHash(hash);
    } catch (error) {
      // While the database is down, a token seen before keeps its last known answer, so a
      // player's chat goes on; a token never seen gets the database's 503.
      if (cached && databaseUnavailableReason(error) !== undefined) return cached;
      throw error;
    }
    const caller: Caller | undefined =
      user &&
      (user.role === 'admin'
        ? { kind: 'admin', owner: user.id, name: user.name }
        : {
            kind: 'user',
            owner: user.id,
            name: user.name,
            ...(Object.keys(user.limits).length > 0 ? { limits: user.limits } : {}),
          });
    // Bounded: unknown tokens must not grow the cache without limit.
    if (userCache.size > 10_000) userCache.clear();
    const entry = { caller, expiresAt: user?.expiresAt ?? null, at: now() };
    userCache.set(hash, entry);
    return entry;
  }

  async function identify(token: string | undefined): Promise<Caller | undefined> {
    if (token === undefined) return undefined;
    const hash = hashToken(token);
    // Awaited only when due for a re-read: every request comes through here.
    const admin = currentAdminHash();
    if (sameDigest(hash, typeof admin === 'string' ? admin : await admin))
      return { kind: 'admin', owner: operatorOwner, name: 'admin' };
    if (clientHashes.has(hash)) return { kind: 'client', owner: operatorOwner };
    const { caller, expiresAt } = await lookUpUser(hash);
    // Checked on every call, cached or not: a token stops working the moment it expires.
    return expiresAt !== null && expiresAt <= now() ? undefined : caller;
  }

  /**
   * Another process (a replica sharing the database, the CLI) may add or revoke users:
   * whether any exist is re-read at most every `userCacheMs`. A failed read keeps the
   * last answer.
   */
  async function recheckUsers(): Promise<void> {
    if (now() - usersCheckedAt < userCacheMs) return;
    usersCheckedAt = now();
    hasUsers = await usersExist().catch(() => hasUsers);
  }

  const locked = () => clientHashes.size > 0 || hasUsers;
  return {
    identify,
    async expiredAt(token) {
      if (token === undefined) return undefined;
      const { caller, expiresAt } = await lookUpUser(hashToken(token));
      return caller && expiresAt !== null && expiresAt <= now() ? expiresAt : undefined;
    },
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
      hasUsers = await usersExist();
      usersCheckedAt = now();
    },
    async settingsChanged() {
      if (!fromEnvironment) await rereadAdminHash();
    },
  };
}
