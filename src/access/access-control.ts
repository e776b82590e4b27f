import { randomBytes } from 'node:crypto';
import { hashToken, sameDigest } from './token-hash.js';

/** Where the admin token's hash is kept between starts. */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

const adminHashKey = 'admin_token_sha256';

/** Who may call what: the admin token for `/api/*`, client keys (or nothing, on loopback) for `/v1/*`. */
export interface AccessControl {
  /** True when the token is the admin token. */
  isAdmin(token: string | undefined): boolean;
  /** True when the token may call the data plane (the admin token always may). */
  mayCallModels(token: string | undefined): boolean;
  /** True when the data plane demands a token (client keys are configured). */
  readonly dataPlaneLocked: boolean;
  /** A newly generated admin token, present only on the start that created it. */
  readonly createdAdminToken: string | undefined;
  /** Where the admin token comes from, for messages. */
  readonly adminTokenSource: 'environment' | 'stored';
}

/** Generates a fresh admin token, `tta_admin_` plus 32 random bytes. */
export function generateAdminToken(): string {
  return `tta_admin_${randomBytes(32).toString('base64url')}`;
}

/** Replaces the stored admin token with a new one and returns it (shown once). */
export async function rotateAdminToken(settings: SettingsStore): Promise<string> {
  const token = generateAdminToken();
  await settings.set(adminHashKey, hashToken(token));
  return token;
}

/**
 * Builds access control. The admin token is `TTA_MODELS_ADMIN_TOKEN` when set;
 * otherwise the stored hash, generating and storing a new token on first start.
 */
export async function createAccessControl(options: {
  settings: SettingsStore;
  clientKeys: readonly string[];
  env?: NodeJS.ProcessEnv;
}): Promise<AccessControl> {
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
  const isAdmin = (token: string | undefined) =>
    token !== undefined && sameDigest(hashToken(token), adminHash);
  return {
    isAdmin,
    mayCallModels: (token) =>
      clientHashes.size === 0 ||
      (token !== undefined && (clientHashes.has(hashToken(token)) || isAdmin(token))),
    dataPlaneLocked: clientHashes.size > 0,
    createdAdminToken,
    adminTokenSource: fromEnvironment ? 'environment' : 'stored',
  };
}
