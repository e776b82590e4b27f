/**
 * The vault's 32-byte data key: from `TTA_MODELS_MASTER_KEY`, or from `<home>/master.key`
 * (created on first use, mode 0600, never in the database). Its fingerprint is kept in
 * the database so a wrong key is refused by name instead of producing garbage, and a
 * rotation interrupted between writing `master.key.next` and renaming it is finished or
 * discarded here.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VaultError } from './vault-error.js';

/** The variable holding the master key (base64 or hex of 32 bytes). */
export const masterKeyVariable = 'TTA_MODELS_MASTER_KEY';
/** The variable holding the next master key while rotating with keys from the environment. */
export const newMasterKeyVariable = 'TTA_MODELS_NEW_MASTER_KEY';
/** The key file in the home folder. */
export const masterKeyFileName = 'master.key';
/** The next key's file, present only while a rotation is in flight. */
export const pendingMasterKeyFileName = 'master.key.next';
/** The setting that holds the fingerprint of the key the vault is sealed with. */
export const fingerprintSetting = 'vault_master_key_fingerprint';

const howToMake = 'make one with: openssl rand -base64 32';

/** Where the master key came from. */
export type MasterKeySource = 'environment' | 'file';

/** A master key ready for use. */
export interface ResolvedMasterKey {
  /** The 32-byte data key. */
  key: Buffer;
  /** Its fingerprint ({@link masterKeyFingerprint}). */
  fingerprint: string;
  /** Environment variable or key file. */
  source: MasterKeySource;
  /** True when this call created the key file. */
  created: boolean;
  /** Things the operator should hear about (a rotation finished or discarded, variables to swap). */
  notices: string[];
}

/** A fresh random 32-byte key. */
export function generateMasterKey(): Buffer {
  return randomBytes(32);
}

/** The key as written to the key file: base64 and a newline. */
export function encodeMasterKey(key: Buffer): string {
  return `${key.toString('base64')}\n`;
}

/**
 * The first 16 hex digits of SHA-256 over a purpose label and the key: names a key in
 * messages and settings without revealing it.
 */
export function masterKeyFingerprint(key: Buffer): string {
  return createHash('sha256')
    .update('tta-models vault master key\0')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Reads a master key written as hex (64 digits) or base64/base64url (43 or 44 characters)
 * of exactly 32 bytes. Anything else is a `VaultError` naming `source` and saying how to
 * make a key; the value itself is never quoted.
 */
export function parseMasterKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new VaultError(
    'vault_master_key_malformed',
    `${source} is not a master key: it must be 32 random bytes written as base64 (44 characters) or hex (64 characters), and it is ${value.length} characters long; ${howToMake}`,
  );
}

/**
 * Finds the master key. With `TTA_MODELS_MASTER_KEY` set, that is the key (or, right
 * after a rotation, `TTA_MODELS_NEW_MASTER_KEY` when it is the one the vault is now sealed
 * with). Otherwise `<home>/master.key`, created on first use; a leftover
 * `master.key.next` is promoted when the database already names it (the rotation
 * committed) and removed when it does not (the rotation never committed).
 * `storedFingerprint` is what the database holds, undefined on a fresh vault.
 * Throws `VaultError` for a malformed, wrong or missing key.
 */
export function resolveMasterKey(options: {
  home: string;
  env: NodeJS.ProcessEnv;
  storedFingerprint: string | undefined;
}): ResolvedMasterKey {
  const { env, storedFingerprint } = options;
  if (env[masterKeyVariable]) return fromEnvironment(env, storedFingerprint);
  return fromKeyFile(options.home, storedFingerprint);
}

function fromEnvironment(
  env: NodeJS.ProcessEnv,
  storedFingerprint: string | undefined,
): ResolvedMasterKey {
  const key = parseMasterKey(env[masterKeyVariable] ?? '', masterKeyVariable);
  const fingerprint = masterKeyFingerprint(key);
  const resolved = { key, fingerprint, source: 'environment' as const, created: false };
  if (storedFingerprint === undefined || storedFingerprint === fingerprint)
    return { ...resolved, notices: [] };
  const next = env[newMasterKeyVariable];
  if (next) {
    const nextKey = parseMasterKey(next, newMasterKeyVariable);
    const nextFingerprint = masterKeyFingerprint(nextKey);
    if (nextFingerprint === storedFingerprint) {
      return {
        ...{ key: nextKey, fingerprint: nextFingerprint, source: 'environment', created: false },
        notices: [
          `the vault was rotated to ${newMasterKeyVariable} (master key ${nextFingerprint}): set ${masterKeyVariable} to that value and remove ${newMasterKeyVariable}`,
        ],
      };
    }
  }
  throw mismatch(storedFingerprint, fingerprint, masterKeyVariable);
}

function fromKeyFile(home: string, storedFingerprint: string | undefined): ResolvedMasterKey {
  const file = path.join(home, masterKeyFileName);
  const pendingFile = path.join(home, pendingMasterKeyFileName);
  const notices: string[] = [];
  let current = readKeyFile(file);
  const pending = readPendingKeyFile(pendingFile);

  if (pending !== undefined) {
    const committed =
      storedFingerprint !== undefined &&
      pending.key !== undefined &&
      masterKeyFingerprint(pending.key) === storedFingerprint;
    if (committed && pending.key !== undefined) {
      promotePendingKeyFile(home);
      current = pending.key;
      notices.push(
        `finished an interrupted master-key rotation: ${file} now holds master key ${storedFingerprint}`,
      );
    } else if (
      current !== undefined &&
      (storedFingerprint === undefined || masterKeyFingerprint(current) === storedFingerprint)
    ) {
      // The database still names the current key: the rotation never committed.
      fs.rmSync(pendingFile, { force: true });
      syncFolder(home);
      notices.push(
        `discarded an interrupted master-key rotation (it had changed nothing): removed ${pendingFile}`,
      );
    }
    // Otherwise leave the file alone (it may be someone's only copy) and report below.
  }

  if (current === undefined) {
    if (storedFingerprint !== undefined) {
      throw new VaultError(
        'vault_master_key_mismatch',
        `the vault was sealed with master key ${storedFingerprint}, but ${file} is missing; restore it from your backup, or set ${masterKeyVariable} to the key you used`,
      );
    }
    const created = createKeyFile(file);
    return { ...created, source: 'file', notices };
  }
  const fingerprint = masterKeyFingerprint(current);
  if (storedFingerprint !== undefined && storedFingerprint !== fingerprint) {
    throw mismatch(storedFingerprint, fingerprint, file);
  }
  return { key: current, fingerprint, source: 'file', created: false, notices };
}

function mismatch(stored: string, found: string, source: string): VaultError {
  return new VaultError(
    'vault_master_key_mismatch',
    `the vault was sealed with master key ${stored}, this one (${source}) is ${found}; set ${masterKeyVariable} to the key you used${source === masterKeyVariable ? '' : `, or restore the ${masterKeyFileName} you used`}`,
  );
}

/** The key in a key file, undefined when the file does not exist. */
function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  checkPrivate(file);
  return parseMasterKey(text, file);
}

/** A leftover next-key file: absent, unreadable (a crash while writing it), or a key. */
function readPendingKeyFile(file: string): { key: Buffer | undefined } | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return { key: parseMasterKey(fs.readFileSync(file, 'utf8'), file) };
  } catch {
    return { key: undefined };
  }
}

/** Refuses a key file other users can read (POSIX only). */
function checkPrivate(file: string): void {
  if (process.platform === 'win32') return;
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new VaultError(
      'vault_master_key_malformed',
      `${file} can be read by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
    );
  }
}

/** Creates the key file with a new key (exclusive create, 0600); reads it if another process won. */
function createKeyFile(file: string): { key: Buffer; fingerprint: string; created: boolean } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = generateMasterKey();
  try {
    writeExclusive(file, encodeMasterKey(key));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = readKeyFile(file);
    if (existing === undefined) throw error;
    return { key: existing, fingerprint: masterKeyFingerprint(existing), created: false };
  }
  return { key, fingerprint: masterKeyFingerprint(key), created: true };
}

/**
 * Writes `master.key.next` (exclusive, 0600, flushed to disk with its folder) before a
 * rotation touches the database. Throws `VaultError` when one is already there.
 */
export function writePendingKeyFile(home: string, key: Buffer): void {
  const file = path.join(home, pendingMasterKeyFileName);
  try {
    writeExclusive(file, encodeMasterKey(key));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new VaultError(
      'vault_rotation_failed',
      `another master-key rotation is in progress (${file} exists); if no other tta-models process is rotating, restart tta-models to finish or discard it, then try again`,
      { status: 409 },
    );
  }
}

/** Renames `master.key.next` over `master.key`, durably. */
export function promotePendingKeyFile(home: string): void {
  fs.renameSync(path.join(home, pendingMasterKeyFileName), path.join(home, masterKeyFileName));
  syncFolder(home);
}

/** Removes `master.key.next` if present. */
export function discardPendingKeyFile(home: string): void {
  fs.rmSync(path.join(home, pendingMasterKeyFileName), { force: true });
  syncFolder(home);
}

function writeExclusive(file: string, text: string): void {
  const descriptor = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeFileSync(descriptor, text, 'utf8');
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
  syncFolder(path.dirname(file));
}

/** Flushes a folder's entries (a new or renamed file) to disk; not possible everywhere. */
function syncFolder(folder: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(folder, 'r');
    fs.fsyncSync(descriptor);
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}
