import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeMasterKey,
  masterKeyFingerprint,
  parseMasterKey,
  resolveMasterKey,
  writePendingKeyFile,
} from './master-key.js';
import { VaultError } from './vault-error.js';

const folders: string[] = [];

function temporaryHome(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-master-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describe('parseMasterKey', () => {
  const key = randomBytes(32);

  it('reads base64, base64url and hex of 32 bytes, ignoring surrounding whitespace', () => {
    expect(parseMasterKey(`${key.toString('base64')}\n`, 'X')).toEqual(key);
    expect(parseMasterKey(key.toString('base64url'), 'X')).toEqual(key);
    expect(parseMasterKey(`  ${key.toString('hex').toUpperCase()} `, 'X')).toEqual(key);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['a passphrase', 'correct horse battery staple'],
    ['too long hex', randomBytes(33).toString('hex')],
    ['empty', ''],
  ])('refuses %s, saying how to make a key without quoting the value', (_name, value) => {
    let error: unknown;
    try {
      parseMasterKey(value, 'TTA_MODELS_MASTER_KEY');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VaultError);
    const message = (error as VaultError).message;
    expect(message).toMatch(
      /^TTA_MODELS_MASTER_KEY is not a master key: it must be 32 random bytes/,
    );
    expect(message).toContain('openssl rand -base64 32');
    if (value !== '') expect(message).not.toContain(value);
    expect((error as VaultError).code).toBe('vault_master_key_malformed');
  });
});

describe('masterKeyFingerprint', () => {
  it('is 16 hex digits, stable per key and different between keys', () => {
    const key = randomBytes(32);
    expect(masterKeyFingerprint(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(masterKeyFingerprint(Buffer.from(key))).toBe(masterKeyFingerprint(key));
    expect(masterKeyFingerprint(randomBytes(32))).not.toBe(masterKeyFingerprint(key));
  });
});

describe('resolveMasterKey', () => {
  it('creates master.key with mode 0600 on first use, then reuses it', () => {
    const home = path.join(temporaryHome(), 'nested-home');
    const first = resolveMasterKey({ home, env: {}, storedFingerprint: undefined });
    expect(first).toMatchObject({ source: 'file', created: true, notices: [] });
    const file = path.join(home, 'master.key');
    if (process.platform !== 'win32') {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(home).mode & 0o077).toBe(0);
    }
    expect(parseMasterKey(fs.readFileSync(file, 'utf8'), file)).toEqual(first.key);

    const second = resolveMasterKey({ home, env: {}, storedFingerprint: first.fingerprint });
    expect(second).toMatchObject({ created: false, fingerprint: first.fingerprint });
    expect(second.key).toEqual(first.key);
  });

  it('refuses a key file other users can read', () => {
    if (process.platform === 'win32') return;
    const home = temporaryHome();
    const file = path.join(home, 'master.key');
    fs.writeFileSync(file, encodeMasterKey(randomBytes(32)), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => resolveMasterKey({ home, env: {}, storedFingerprint: undefined })).toThrow(
      `${file} can be read by other users (mode 644); run: chmod 600 ${file}`,
    );
  });

  it('takes TTA_MODELS_MASTER_KEY over the key file, and writes no file', () => {
    const home = temporaryHome();
    const key = randomBytes(32);
    const resolved = resolveMasterKey({
      home,
      env: { TTA_MODELS_MASTER_KEY: key.toString('base64') },
      storedFingerprint: undefined,
    });
    expect(resolved).toMatchObject({ source: 'environment', created: false });
    expect(resolved.key).toEqual(key);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('names both fingerprints when the key is not the one the vault was sealed with', () => {
    const home = temporaryHome();
    const used = masterKeyFingerprint(randomBytes(32));
    const wrong = randomBytes(32);
    expect(() =>
      resolveMasterKey({
        home,
        env: { TTA_MODELS_MASTER_KEY: wrong.toString('hex') },
        storedFingerprint: used,
      }),
    ).toThrow(
      `the vault was sealed with master key ${used}, this one (TTA_MODELS_MASTER_KEY) is ${masterKeyFingerprint(wrong)}; set TTA_MODELS_MASTER_KEY to the key you used`,
    );
    // The same for a key file, and a missing key file never silently gets a new key.
    expect(() => resolveMasterKey({ home, env: {}, storedFingerprint: used })).toThrow(
      `the vault was sealed with master key ${used}, but ${path.join(home, 'master.key')} is missing`,
    );
    expect(fs.existsSync(path.join(home, 'master.key'))).toBe(false);
    fs.writeFileSync(path.join(home, 'master.key'), encodeMasterKey(wrong), { mode: 0o600 });
    expect(() => resolveMasterKey({ home, env: {}, storedFingerprint: used })).toThrow(
      /the vault was sealed with master key [0-9a-f]{16}, this one \(.*master\.key\) is [0-9a-f]{16}; set TTA_MODELS_MASTER_KEY to the key you used, or restore the master\.key you used/,
    );
  });

  it('accepts TTA_MODELS_NEW_MASTER_KEY when the vault was rotated to it, asking for the swap', () => {
    const old = randomBytes(32);
    const next = randomBytes(32);
    const resolved = resolveMasterKey({
      home: temporaryHome(),
      env: {
        TTA_MODELS_MASTER_KEY: old.toString('base64'),
        TTA_MODELS_NEW_MASTER_KEY: next.toString('base64'),
      },
      storedFingerprint: masterKeyFingerprint(next),
    });
    expect(resolved.key).toEqual(next);
    expect(resolved.notices).toEqual([
      expect.stringContaining(
        'set TTA_MODELS_MASTER_KEY to that value and remove TTA_MODELS_NEW_MASTER_KEY',
      ),
    ]);
  });

  it('promotes master.key.next when the database names it, and discards it when not', () => {
    const home = temporaryHome();
    const first = resolveMasterKey({ home, env: {}, storedFingerprint: undefined });
    const next = randomBytes(32);

    writePendingKeyFile(home, next);
    const discarded = resolveMasterKey({ home, env: {}, storedFingerprint: first.fingerprint });
    expect(discarded.key).toEqual(first.key);
    expect(discarded.notices).toEqual([expect.stringMatching(/^discarded an interrupted/)]);
    expect(fs.readdirSync(home)).toEqual(['master.key']);

    writePendingKeyFile(home, next);
    const promoted = resolveMasterKey({
      home,
      env: {},
      storedFingerprint: masterKeyFingerprint(next),
    });
    expect(promoted.key).toEqual(next);
    expect(promoted.notices).toEqual([expect.stringMatching(/^finished an interrupted/)]);
    expect(fs.readdirSync(home)).toEqual(['master.key']);
    expect(parseMasterKey(fs.readFileSync(path.join(home, 'master.key'), 'utf8'), 'f')).toEqual(
      next,
    );
  });

  it('discards a half-written master.key.next', () => {
    const home = temporaryHome();
    const first = resolveMasterKey({ home, env: {}, storedFingerprint: undefined });
    fs.writeFileSync(path.join(home, 'master.key.next'), 'AAAA', { mode: 0o600 });
    const resolved = resolveMasterKey({ home, env: {}, storedFingerprint: first.fingerprint });
    expect(resolved.key).toEqual(first.key);
    expect(fs.readdirSync(home)).toEqual(['master.key']);
  });

  it('refuses to start a second rotation while master.key.next exists', () => {
    const home = temporaryHome();
    writePendingKeyFile(home, randomBytes(32));
    expect(() => writePendingKeyFile(home, randomBytes(32))).toThrow(
      /another master-key rotation is in progress/,
    );
  });
});
