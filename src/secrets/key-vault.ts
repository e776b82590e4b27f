/**
 * The key vault: provider API keys that belong to users (or the operator), sealed at rest
 * with the master key, opened only for upstream calls, listed only as metadata.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { ApiKeyRecord, ApiKeyStatus, ResealRow, Storage } from '../storage/index.js';
import {
  discardPendingKeyFile,
  fingerprintSetting,
  generateMasterKey,
  type MasterKeySource,
  masterKeyFingerprint,
  masterKeyVariable,
  newMasterKeyVariable,
  parseMasterKey,
  promotePendingKeyFile,
  resolveMasterKey,
  writePendingKeyFile,
} from './master-key.js';
import { checkNewKey, type NewApiKey } from './new-api-key.js';
import { scrubSecrets } from './scrub-secrets.js';
import { openSealed, type SealBinding, sealSecret } from './seal.js';
import { VaultError } from './vault-error.js';

/** The owner of shared provider keys configured by the operator. */
export const operatorOwner = 'operator';

export type { NewApiKey } from './new-api-key.js';

/** What anyone may see of a key: everything but the secret. */
export interface ApiKeyInfo {
  /** `key_<random>`. */
  id: string;
  /** A user id, or `operator`. */
  owner: string;
  /** Configured provider id the key is for. */
  providerId: string;
  /** The owner's label, or null. */
  label: string | null;
  /** The secret's last four characters. */
  last4: string;
  /** When added, epoch milliseconds. */
  createdAt: number;
  /** Last upstream use (recorded at most once a minute), epoch milliseconds, or null. */
  lastUsedAt: number | null;
  /** Result of the last check. */
  status: ApiKeyStatus;
  /** What the last check said and what to do, or null. */
  statusMessage: string | null;
  /** When the status was last set, epoch milliseconds, or null. */
  checkedAt: number | null;
}

/** The steps of a master-key rotation, in order; a hook after each simulates a crash in tests. */
export type RotationStep =
  /** `master.key.next` written and flushed (key-file vaults only). */
  | 'next-key-written'
  /** Every secret resealed and the new fingerprint stored, in one committed transaction. */
  | 'database-resealed'
  /** `master.key.next` renamed over `master.key` (key-file vaults only). */
  | 'key-file-replaced';

/** What a rotation did. */
export interface RotationResult {
  /** How many secrets were resealed. */
  resealed: number;
  /** Fingerprint of the old master key. */
  previousFingerprint: string;
  /** Fingerprint of the new master key. */
  fingerprint: string;
  /** Where the new key lives. */
  source: MasterKeySource;
  /** What the operator must do or know now (e.g. swap environment variables). */
  notice: string;
}

/** Options of {@link createKeyVault}. */
export interface KeyVaultOptions {
  /** The database (keys, settings). */
  storage: Pick<Storage, 'keys' | 'settings'>;
  /** The home folder, where `master.key` lives unless the key comes from the environment. */
  home: string;
  /** Where `TTA_MODELS_MASTER_KEY` / `TTA_MODELS_NEW_MASTER_KEY` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** How often `touch` writes a key's last use at most, milliseconds (default 60,000). */
  touchIntervalMs?: number;
  /** Test hook: called after each rotation step; throwing there simulates a crash. */
  afterRotationStep?: (step: RotationStep) => void | Promise<void>;
}

/** The key vault. Every method that names a key by id throws `VaultError` for an unknown one. */
export interface KeyVault {
  /** Fingerprint of the master key in use. */
  readonly fingerprint: string;
  /** Where the master key came from. */
  readonly keySource: MasterKeySource;
  /** Things the operator should hear about from opening (rotation recovered, key file created, ...). */
  readonly notices: readonly string[];
  /** Seals and stores a key; returns its metadata (never the secret). */
  add(key: NewApiKey): Promise<ApiKeyInfo>;
  /** One key's metadata; with `owner`, only if that owner's. */
  get(id: string, owner?: string): Promise<ApiKeyInfo>;
  /** Metadata of every key, or of one owner's and/or one provider's, oldest first. */
  list(filter?: { owner?: string; providerId?: string }): Promise<ApiKeyInfo[]>;
  /** The plain secret, for an upstream call only; with `owner`, only if that owner's. */
  open(id: string, owner?: string): Promise<string>;
  /** Removes a key and returns its metadata; with `owner`, only if that owner's. */
  remove(id: string, owner?: string): Promise<ApiKeyInfo>;
  /** Records a check's outcome (the message is scrubbed of secrets); returns the metadata. */
  setStatus(id: string, status: ApiKeyStatus, message?: string | null): Promise<ApiKeyInfo>;
  /** Records a use, at most once per `touchIntervalMs` per key. Unknown ids are ignored. */
  touch(id: string): Promise<void>;
  /** Re-encrypts every secret under a new master key; crash-safe, all or nothing. */
  rotateMaster(): Promise<RotationResult>;
  /** Every secret the vault holds, decrypted (for the scrubber); refreshes `cachedSecrets`. */
  knownSecrets(): Promise<string[]>;
  /** Every secret seen by this vault object so far, without I/O (for synchronous log scrubbing). */
  cachedSecrets(): readonly string[];
}

/**
 * Opens the vault: finds the master key (finishing or discarding an interrupted
 * rotation), checks it against the fingerprint the database holds, and decrypts every
 * secret once so the scrubber knows them. Throws `VaultError` for a wrong or malformed key.
 */
export async function createKeyVault(options: KeyVaultOptions): Promise<KeyVault> {
  const { storage, home } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });

  const storedFingerprint = await storage.settings.get(fingerprintSetting);
  const resolved = resolveMasterKey({ home, env, storedFingerprint });
  let masterKey = resolved.key;
  let fingerprint = resolved.fingerprint;
  /** The next key while a rotation commits, so `open` succeeds on either side of it. */
  let rotatingTo: Buffer | undefined;
  const notices = [...resolved.notices];
  if (resolved.created) notices.push(`created a new vault master key in ${home}; back it up`);

  const known = new Set<string>();
  let knownList: readonly string[] = [];
  const remember = (secret: string): void => {
    if (known.has(secret)) return;
    known.add(secret);
    knownList = [...known];
  };
  const lastTouched = new Map<string, number>();
  let exclusive: Promise<unknown> = Promise.resolve();
  /** Runs writes that seal (add, rotate) one at a time, so none is sealed under a retired key. */
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const result = exclusive.then(work, work);
    exclusive = result.catch(() => undefined);
    return result;
  };

  const decrypt = (record: ApiKeyRecord): string => {
    const binding = bindingOf(record);
    try {
      return openSealed(masterKey, record.sealed, binding);
    } catch (error) {
      if (rotatingTo === undefined) throw error;
      return openSealed(rotatingTo, record.sealed, binding);
    }
  };

  // Load every secret: proves the key when the database holds no fingerprint yet, and
  // primes the scrubber.
  const records = await storage.keys.list();
  let opened = 0;
  for (const record of records) {
    try {
      remember(decrypt(record));
      opened += 1;
    } catch (error) {
      notices.push((error as Error).message);
    }
  }
  if (storedFingerprint === undefined) {
    if (records.length > 0 && opened === 0) {
      throw new VaultError(
        'vault_master_key_mismatch',
        `the vault holds ${records.length} keys but no master-key fingerprint, and this master key (${fingerprint}) opens none of them; set ${masterKeyVariable} to the key you used`,
      );
    }
    await storage.settings.set(fingerprintSetting, fingerprint);
  }

  /** The record, if it exists and (with `owner`) belongs to that owner. */
  async function find(id: string, owner: string | undefined): Promise<ApiKeyRecord> {
    const record = await storage.keys.get(id);
    if (record === undefined || (owner !== undefined && record.owner !== owner)) {
      throw new VaultError(
        'vault_key_not_found',
        owner === undefined ? `no key ${id}` : `no key ${id} among this user's keys`,
      );
    }
    return record;
  }

  async function rotate(): Promise<RotationResult> {
    const previousFingerprint = fingerprint;
    const fromEnvironment = resolved.source === 'environment';
    let nextKey: Buffer;
    if (fromEnvironment) {
      const text = env[newMasterKeyVariable];
      if (!text) {
        throw new VaultError(
          'vault_rotation_failed',
          `the master key comes from ${masterKeyVariable}: make a new one (openssl rand -base64 32), set it as ${newMasterKeyVariable}, run the rotation again, then set ${masterKeyVariable} to it and remove ${newMasterKeyVariable}`,
          { status: 400 },
        );
      }
      nextKey = parseMasterKey(text, newMasterKeyVariable);
    } else {
      nextKey = generateMasterKey();
    }
    const nextFingerprint = masterKeyFingerprint(nextKey);
    if (nextFingerprint === previousFingerprint) {
      throw new VaultError(
        'vault_rotation_failed',
        `${newMasterKeyVariable} is the master key in use (${previousFingerprint}); make a new one with: openssl rand -base64 32`,
        { status: 400 },
      );
    }

    // Reseal in memory first: a secret that does not open stops the rotation before any write.
    const records = await storage.keys.list();
    const rows: ResealRow[] = records.map((record) => {
      let secret: string;
      try {
        secret = decrypt(record);
      } catch (cause) {
        throw new VaultError(
          'vault_rotation_failed',
          `the master key was not rotated, nothing was changed: ${(cause as Error).message}`,
          { cause },
        );
      }
      return {
        id: record.id,
        previous: record.sealed,
        sealed: sealSecret(nextKey, secret, bindingOf(record)),
      };
    });

    if (!fromEnvironment) {
      writePendingKeyFile(home, nextKey);
      await options.afterRotationStep?.('next-key-written');
    }
    rotatingTo = nextKey;
    try {
      await storage.keys.resealAll(rows, { [fingerprintSetting]: nextFingerprint });
    } catch (cause) {
      // Only a database that still names the old key proves the rotation did not commit;
      // if it cannot be asked, master.key.next stays for the next start to decide.
      const stored = await storage.settings.get(fingerprintSetting).catch(() => undefined);
      if (stored !== nextFingerprint) {
        rotatingTo = undefined;
        if (!fromEnvironment && stored === previousFingerprint) discardPendingKeyFile(home);
        throw new VaultError(
          'vault_rotation_failed',
          `the master key was not rotated, nothing was changed: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    // Committed: from here on the new key is the vault's key, whatever happens to the files.
    masterKey = nextKey;
    fingerprint = nextFingerprint;
    rotatingTo = undefined;
    await options.afterRotationStep?.('database-resealed');

    let notice: string;
    if (fromEnvironment) {
      notice = `every secret is now sealed with ${newMasterKeyVariable} (master key ${nextFingerprint}): set ${masterKeyVariable} to its value and remove ${newMasterKeyVariable} before the next start`;
    } else {
      try {
        promotePendingKeyFile(home);
        notice = `every secret is now sealed with the new master key ${nextFingerprint} in ${home}; back up the new master.key and destroy copies of the old one`;
      } catch (error) {
        notice = `every secret is now sealed with master key ${nextFingerprint}, but master.key.next could not be renamed over master.key (${(error as Error).message}); the next start finishes it, so keep both files until then`;
      }
      await options.afterRotationStep?.('key-file-replaced');
    }
    return {
      resealed: rows.length,
      previousFingerprint,
      fingerprint: nextFingerprint,
      source: resolved.source,
      notice,
    };
  }

  return {
    get fingerprint() {
      return fingerprint;
    },
    keySource: resolved.source,
    notices,

    async add(key) {
      const input = checkNewKey(key);
      return serialized(async () => {
        const id = `key_${randomBytes(8).toString('hex')}`;
        const checkedAt = input.status === 'unchecked' ? null : Math.round(now());
        const record: ApiKeyRecord = {
          id,
          owner: input.owner,
          providerId: input.providerId,
          label: input.label,
          last4: input.secret.slice(-4),
          sealed: sealSecret(masterKey, input.secret, {
            keyId: id,
            owner: input.owner,
            providerId: input.providerId,
          }),
          createdAt: Math.round(now()),
          lastUsedAt: null,
          status: input.status,
          statusMessage:
            input.statusMessage === null ? null : scrubSecrets(input.statusMessage, [input.secret]),
          checkedAt,
        };
        await storage.keys.insert(record);
        remember(input.secret);
        return infoOf(record);
      });
    },

    async get(id, owner) {
      return infoOf(await find(id, owner));
    },

    async list(filter = {}) {
      return (await storage.keys.list(filter)).map(infoOf);
    },

    async open(id, owner) {
      const secret = decrypt(await find(id, owner));
      remember(secret);
      return secret;
    },

    async remove(id, owner) {
      const record = await find(id, owner);
      await storage.keys.delete(id);
      lastTouched.delete(id);
      // The secret stays in the scrubber's list: it must not show up in logs afterwards either.
      return infoOf(record);
    },

    async setStatus(id, status, message = null) {
      const record = await find(id, undefined);
      const statusMessage = message === null ? null : scrubSecrets(message, knownList);
      const checkedAt = Math.round(now());
      await storage.keys.updateStatus(id, { status, statusMessage, checkedAt });
      return infoOf({ ...record, status, statusMessage, checkedAt });
    },

    async touch(id) {
      const at = now();
      const previous = lastTouched.get(id);
      if (previous !== undefined && at - previous < touchIntervalMs) return;
      lastTouched.set(id, at);
      await storage.keys.touch(id, at);
    },

    rotateMaster: () => serialized(rotate),

    async knownSecrets() {
      const secrets: string[] = [];
      for (const record of await storage.keys.list()) {
        try {
          secrets.push(decrypt(record));
        } catch {
          // A secret that does not open cannot leak either; `open` reports it.
        }
      }
      for (const secret of secrets) remember(secret);
      return secrets;
    },

    cachedSecrets: () => knownList,
  };
}

function bindingOf(record: Pick<ApiKeyRecord, 'id' | 'owner' | 'providerId'>): SealBinding {
  return { keyId: record.id, owner: record.owner, providerId: record.providerId };
}

function infoOf(record: ApiKeyRecord): ApiKeyInfo {
  const { sealed: _sealed, ...info } = record;
  return info;
}
