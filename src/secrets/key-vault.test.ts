import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.js';
import { createKeyVault, type KeyVaultOptions, type RotationStep } from './key-vault.js';
import { masterKeyFingerprint } from './master-key.js';
import { VaultError } from './vault-error.js';

const folders: string[] = [];
const opened: Storage[] = [];

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** A home folder with a real SQLite file in it. */
function temporaryHome(): { home: string; databaseFile: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-vault-'));
  folders.push(home);
  return { home, databaseFile: path.join(home, 'tta-models.sqlite') };
}

async function openDatabase(databaseFile: string): Promise<Storage> {
  const storage = await openStorage({ path: databaseFile, now: () => 1_000 });
  opened.push(storage);
  return storage;
}

/** Opens storage and a vault over the home folder, as a fresh process would. */
async function openVault(
  place: { home: string; databaseFile: string },
  options: Partial<KeyVaultOptions> = {},
) {
  const storage = await openDatabase(place.databaseFile);
  // A clock that ticks on every reading, so keys list in the order they were added.
  let clock = Date.now();
  const now = () => (clock += 1);
  const vault = await createKeyVault({ storage, home: place.home, env: {}, now, ...options });
  return { storage, vault };
}

/** Every byte under a folder, as one buffer per file. */
function filesUnder(folder: string): Buffer[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name)));
}

/** Random secrets shaped like real keys. */
function secret(prefix = 'sk-or-v1-'): string {
  return `${prefix}${randomBytes(24).toString('hex')}`;
}

/** The error a promise rejects with, asserted to be a VaultError. */
async function vaultError(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('key vault', () => {
  it('adds, lists, opens and removes keys, showing only metadata', async () => {
    const place = temporaryHome();
    let clock = 5_000;
    const { vault } = await openVault(place, { now: () => clock });
    const mine = secret();
    const shared = secret('sk-ant-api03-');
    const added = await vault.add({
      owner: 'usr_1',
      providerId: 'openrouter',
      label: ' personal ',
      secret: `  ${mine}\n`,
    });
    expect(added).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{16}$/),
      owner: 'usr_1',
      providerId: 'openrouter',
      label: 'personal',
      last4: mine.slice(-4),
      createdAt: 5_000,
      lastUsedAt: null,
      status: 'unchecked',
      statusMessage: null,
      checkedAt: null,
    });
    clock = 6_000;
    const operatorKey = await vault.add({
      owner: 'operator',
      providerId: 'claude',
      secret: shared,
      status: 'valid',
      statusMessage: 'Anthropic accepted the key',
    });
    expect(operatorKey).toMatchObject({ label: null, status: 'valid', checkedAt: 6_000 });

    expect((await vault.list()).map((key) => key.id)).toEqual([added.id, operatorKey.id]);
    expect((await vault.list({ owner: 'usr_1' })).map((key) => key.id)).toEqual([added.id]);
    expect(JSON.stringify(await vault.list())).not.toContain(mine);
    expect(await vault.open(added.id)).toBe(mine);
    expect(await vault.open(added.id, 'usr_1')).toBe(mine);
    expect(await vault.get(operatorKey.id)).toEqual(operatorKey);

    // Another owner's key is indistinguishable from a missing one.
    const foreign = await vaultError(vault.open(added.id, 'usr_2'));
    expect(foreign).toMatchObject({ code: 'vault_key_not_found', status: 404 });
    expect(foreign.message).toBe(`no key ${added.id} among this user's keys`);
    await vaultError(vault.remove(added.id, 'usr_2'));
    await vaultError(vault.open('key_missing'));

    expect(await vault.remove(added.id, 'usr_1')).toEqual(added);
    expect(await vault.list()).toEqual([operatorKey]);
    await vaultError(vault.open(added.id));
  });

  it('keeps no secret in plain text anywhere in the home folder', async () => {
    const place = temporaryHome();
    const { storage, vault } = await openVault(place);
    const canary = secret('canary-');
    const key = await vault.add({ owner: 'usr_1', providerId: 'openrouter', secret: canary });
    await vault.setStatus(
      key.id,
      'invalid',
      `upstream said: Incorrect API key provided: ${canary}`,
    );
    await vault.touch(key.id);
    await vault.rotateMaster();
    await storage.close();
    for (const bytes of filesUnder(place.home)) {
      expect(bytes.includes(canary)).toBe(false);
      expect(bytes.includes(canary.slice(5, 30))).toBe(false);
    }
  });

  it('refuses bad input without quoting the secret', async () => {
    const { vault } = await openVault(temporaryHome());
    const cases: Array<[Parameters<typeof vault.add>[0], RegExp]> = [
      [{ owner: '', providerId: 'x', secret: secret() }, /needs an owner/],
      [{ owner: 'u', providerId: ' ', secret: secret() }, /needs the id of the provider/],
      [{ owner: 'u', providerId: 'x', secret: '   ' }, /the API key is empty/],
      [{ owner: 'u', providerId: 'x', secret: 'sk-1234' }, /too short to be one \(7 characters\)/],
      [{ owner: 'u', providerId: 'x', secret: 'sk-or-v1 abcdef0123' }, /contains spaces/],
      [
        { owner: 'u', providerId: 'x', secret: secret(), label: 'x'.repeat(201) },
        /label is longer/,
      ],
    ];
    for (const [input, message] of cases) {
      const error = await vaultError(vault.add(input));
      expect(error).toMatchObject({ code: 'vault_invalid_input', status: 400 });
      expect(error.message).toMatch(message);
      if (input.secret.trim() !== '') expect(error.message).not.toContain(input.secret.trim());
    }
    expect(await vault.list()).toEqual([]);
  });

  it('refuses a tampered ciphertext with a clear error and loses nothing else', async () => {
    const place = temporaryHome();
    const { storage, vault } = await openVault(place);
    const first = secret();
    const second = secret();
    const tampered = await vault.add({ owner: 'usr_1', providerId: 'openrouter', secret: first });
    const intact = await vault.add({ owner: 'usr_1', providerId: 'openrouter', secret: second });
    await storage.close();

    const writer = new BetterSqlite3(place.databaseFile);
    const row = writer.prepare('select sealed from api_keys where id = ?').get(tampered.id) as {
      sealed: string;
    };
    const parts = row.sealed.split('.');
    const ciphertext = Buffer.from(parts[2] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 0xff;
    parts[2] = ciphertext.toString('base64url');
    writer.prepare('update api_keys set sealed = ? where id = ?').run(parts.join('.'), tampered.id);
    writer.close();

    const reopened = await openVault(place);
    expect(reopened.vault.notices).toEqual([expect.stringContaining(`key ${tampered.id}`)]);
    const error = await vaultError(reopened.vault.open(tampered.id));
    expect(error.code).toBe('vault_secret_unreadable');
    expect(error.message).toMatch(
      /altered, copied from another key's row, or sealed with another master key/,
    );
    expect(await reopened.vault.open(intact.id)).toBe(second);
    expect(await reopened.vault.knownSecrets()).toEqual([second]);
    // The damaged row is kept for the owner to see and remove.
    expect((await reopened.vault.list()).map((key) => key.id)).toEqual([tampered.id, intact.id]);
    // A rotation will not leave it behind unreadable: it stops and changes nothing.
    const rotation = await vaultError(reopened.vault.rotateMaster());
    expect(rotation.message).toMatch(
      /^the master key was not rotated, nothing was changed: key key_/,
    );
    expect(fs.readdirSync(place.home).filter((name) => name.startsWith('master'))).toEqual([
      'master.key',
    ]);
    expect(await reopened.vault.open(intact.id)).toBe(second);
  });

  it('refuses ciphertexts swapped between rows, and each opens again once swapped back', async () => {
    const place = temporaryHome();
    const { storage, vault } = await openVault(place);
    const mine = secret();
    const theirs = secret();
    const a = await vault.add({ owner: 'usr_1', providerId: 'openrouter', secret: mine });
    const b = await vault.add({ owner: 'usr_2', providerId: 'openrouter', secret: theirs });
    await storage.close();

    const swap = (): void => {
      const writer = new BetterSqlite3(place.databaseFile);
      const sealed = (id: string) =>
        (writer.prepare('select sealed from api_keys where id = ?').get(id) as { sealed: string })
          .sealed;
      const [sealedA, sealedB] = [sealed(a.id), sealed(b.id)];
      writer.prepare('update api_keys set sealed = ? where id = ?').run(sealedB, a.id);
      writer.prepare('update api_keys set sealed = ? where id = ?').run(sealedA, b.id);
      writer.close();
    };
    swap();
    const swapped = await openVault(place);
    expect((await vaultError(swapped.vault.open(a.id, 'usr_1'))).code).toBe(
      'vault_secret_unreadable',
    );
    expect((await vaultError(swapped.vault.open(b.id))).code).toBe('vault_secret_unreadable');
    await swapped.storage.close();

    swap();
    const restored = await openVault(place);
    expect(await restored.vault.open(a.id)).toBe(mine);
    expect(await restored.vault.open(b.id)).toBe(theirs);
  });

  it('refuses a wrong master key by fingerprint, and the right one still opens everything', async () => {
    const place = temporaryHome();
    const right = randomBytes(32).toString('base64');
    const wrong = randomBytes(32).toString('hex');
    const env = { TTA_MODELS_MASTER_KEY: right };
    const { storage, vault } = await openVault(place, { env });
    const value = secret();
    const key = await vault.add({ owner: 'operator', providerId: 'openrouter', secret: value });
    await storage.close();

    const other = await openDatabase(place.databaseFile);
    const error = await vaultError(
      createKeyVault({ storage: other, home: place.home, env: { TTA_MODELS_MASTER_KEY: wrong } }),
    );
    expect(error.code).toBe('vault_master_key_mismatch');
    expect(error.message).toBe(
      `the vault was sealed with master key ${vault.fingerprint}, this one (TTA_MODELS_MASTER_KEY) is ${masterKeyFingerprint(Buffer.from(wrong, 'hex'))}; set TTA_MODELS_MASTER_KEY to the key you used`,
    );
    expect(error.message).not.toContain(right);
    expect(error.message).not.toContain(wrong);
    // Nor does it quietly fall back to a key file.
    expect(fs.existsSync(path.join(place.home, 'master.key'))).toBe(false);
    await vaultError(createKeyVault({ storage: other, home: place.home, env: {} }));
    expect(fs.existsSync(path.join(place.home, 'master.key'))).toBe(false);

    const again = await createKeyVault({ storage: other, home: place.home, env });
    expect(await again.open(key.id)).toBe(value);
  });

  it('refuses a master key that opens none of the keys when the fingerprint is gone', async () => {
    const place = temporaryHome();
    const { storage, vault } = await openVault(place);
    await vault.add({ owner: 'operator', providerId: 'openrouter', secret: secret() });
    await storage.settings.delete('vault_master_key_fingerprint');
    const error = await vaultError(
      createKeyVault({
        storage,
        home: place.home,
        env: { TTA_MODELS_MASTER_KEY: randomBytes(32).toString('base64') },
      }),
    );
    expect(error.message).toMatch(
      /holds 1 keys but no master-key fingerprint, and this master key/,
    );
  });

  it('creates master.key 0600 on first use and reuses it on the next start', async () => {
    const place = temporaryHome();
    const first = await openVault(place);
    expect(first.vault.keySource).toBe('file');
    expect(first.vault.notices).toEqual([expect.stringMatching(/^created a new vault master key/)]);
    const file = path.join(place.home, 'master.key');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const value = secret();
    const key = await first.vault.add({ owner: 'operator', providerId: 'x', secret: value });
    await first.storage.close();

    const second = await openVault(place);
    expect(second.vault.fingerprint).toBe(first.vault.fingerprint);
    expect(second.vault.notices).toEqual([]);
    expect(await second.vault.open(key.id)).toBe(value);
    expect(await second.storage.settings.get('vault_master_key_fingerprint')).toBe(
      first.vault.fingerprint,
    );
  });

  it('records status (scrubbed of secrets) and last use, at most once a minute', async () => {
    let clock = 10_000;
    const { storage, vault } = await openVault(temporaryHome(), { now: () => clock });
    const value = secret();
    const key = await vault.add({ owner: 'operator', providerId: 'openrouter', secret: value });
    clock = 11_000;
    const updated = await vault.setStatus(key.id, 'invalid', `401: bad key ${value}`);
    expect(updated).toMatchObject({
      status: 'invalid',
      statusMessage: '401: bad key [redacted]',
      checkedAt: 11_000,
    });
    expect(await vault.get(key.id)).toEqual(updated);

    await vault.touch(key.id);
    clock = 30_000;
    await vault.touch(key.id);
    expect((await storage.keys.get(key.id))?.lastUsedAt).toBe(11_000);
    clock = 71_000;
    await vault.touch(key.id);
    expect((await storage.keys.get(key.id))?.lastUsedAt).toBe(71_000);
    await vault.touch('key_missing');
    await vaultError(vault.setStatus('key_missing', 'valid'));
  });

  it('knows every secret for the scrubber, from the start and as keys are added', async () => {
    const place = temporaryHome();
    const first = await openVault(place);
    const one = secret();
    await first.vault.add({ owner: 'operator', providerId: 'x', secret: one });
    await first.storage.close();

    const { vault } = await openVault(place);
    expect(vault.cachedSecrets()).toEqual([one]);
    const before = vault.cachedSecrets();
    const two = secret();
    const added = await vault.add({ owner: 'operator', providerId: 'x', secret: two });
    expect(vault.cachedSecrets()).toEqual([one, two]);
    expect(vault.cachedSecrets()).not.toBe(before);
    expect(vault.cachedSecrets()).toBe(vault.cachedSecrets());
    expect(await vault.knownSecrets()).toEqual([one, two]);
    await vault.remove(added.id);
    expect(await vault.knownSecrets()).toEqual([one]);
    // A removed key's secret must stay out of logs too.
    expect(vault.cachedSecrets()).toEqual([one, two]);
  });
});

describe('rotateMaster', () => {
  /** A vault with three keys of two owners; returns their ids and secrets. */
  async function filledVault(place: { home: string; databaseFile: string }, options = {}) {
    const opened = await openVault(place, options);
    const secrets = new Map<string, string>();
    for (const [owner, providerId] of [
      ['usr_1', 'openrouter'],
      ['usr_2', 'openrouter'],
      ['operator', 'claude'],
    ] as const) {
      const value = secret();
      const key = await opened.vault.add({ owner, providerId, secret: value });
      secrets.set(key.id, value);
    }
    return { ...opened, secrets };
  }

  async function expectAllOpen(
    vault: Awaited<ReturnType<typeof createKeyVault>>,
    secrets: Map<string, string>,
  ): Promise<void> {
    for (const [id, value] of secrets) expect(await vault.open(id)).toBe(value);
  }

  it('reseals every secret under a new key file and keeps working', async () => {
    const place = temporaryHome();
    const { storage, vault, secrets } = await filledVault(place);
    const oldFingerprint = vault.fingerprint;
    const sealedBefore = (await storage.keys.list()).map((key) => key.sealed);
    const oldFile = fs.readFileSync(path.join(place.home, 'master.key'), 'utf8');

    const result = await vault.rotateMaster();
    expect(result).toEqual({
      resealed: 3,
      previousFingerprint: oldFingerprint,
      fingerprint: vault.fingerprint,
      source: 'file',
      notice: expect.stringMatching(/back up the new master.key/),
    });
    expect(vault.fingerprint).not.toBe(oldFingerprint);
    const sealedAfter = (await storage.keys.list()).map((key) => key.sealed);
    for (const [index, sealed] of sealedAfter.entries())
      expect(sealed).not.toBe(sealedBefore[index]);
    expect(fs.readFileSync(path.join(place.home, 'master.key'), 'utf8')).not.toBe(oldFile);
    expect(fs.readdirSync(place.home).filter((name) => name.startsWith('master'))).toEqual([
      'master.key',
    ]);
    if (process.platform !== 'win32')
      expect(fs.statSync(path.join(place.home, 'master.key')).mode & 0o777).toBe(0o600);
    await expectAllOpen(vault, secrets);
    const added = await vault.add({ owner: 'usr_1', providerId: 'x', secret: 'after-rotation-1' });
    await storage.close();

    const reopened = await openVault(place);
    expect(reopened.vault.fingerprint).toBe(result.fingerprint);
    await expectAllOpen(reopened.vault, secrets);
    expect(await reopened.vault.open(added.id)).toBe('after-rotation-1');
  });

  it.each<[RotationStep, 'old' | 'new']>([
    ['next-key-written', 'old'],
    ['database-resealed', 'new'],
    ['key-file-replaced', 'new'],
  ])('loses nothing when the process dies after "%s"', async (crashAfter, expected) => {
    const place = temporaryHome();
    const crash = new Error(`simulated crash after ${crashAfter}`);
    const { storage, vault, secrets } = await filledVault(place, {
      afterRotationStep: (step: RotationStep) => {
        if (step === crashAfter) throw crash;
      },
    });
    const oldFingerprint = vault.fingerprint;
    await expect(vault.rotateMaster()).rejects.toBe(crash);
    // The process is gone: nothing more runs, and the next start picks up the pieces.
    await storage.close();

    const restarted = await openVault(place);
    const stored = await restarted.storage.settings.get('vault_master_key_fingerprint');
    if (expected === 'old') {
      expect(restarted.vault.fingerprint).toBe(oldFingerprint);
      expect(restarted.vault.notices).toEqual([expect.stringMatching(/^discarded an interrupted/)]);
    } else {
      expect(restarted.vault.fingerprint).not.toBe(oldFingerprint);
      if (crashAfter === 'database-resealed')
        expect(restarted.vault.notices).toEqual([
          expect.stringMatching(/^finished an interrupted/),
        ]);
    }
    expect(stored).toBe(restarted.vault.fingerprint);
    expect(fs.readdirSync(place.home).filter((name) => name.startsWith('master'))).toEqual([
      'master.key',
    ]);
    await expectAllOpen(restarted.vault, secrets);
    // And it can rotate again.
    await restarted.vault.rotateMaster();
    await expectAllOpen(restarted.vault, secrets);
  });

  it('rolls every row back when the reseal transaction fails half-way', async () => {
    const place = temporaryHome();
    const { storage, vault, secrets } = await filledVault(place);
    const sealedBefore = await storage.keys.list();
    // The last row's `previous` no longer matches: the transaction has already rewritten
    // the first rows when it fails.
    const failing = {
      ...storage,
      keys: {
        ...storage.keys,
        resealAll: (
          rows: Parameters<Storage['keys']['resealAll']>[0],
          settings?: Record<string, string>,
        ) =>
          storage.keys.resealAll(
            rows.map((row, index) =>
              index === rows.length - 1 ? { ...row, previous: 'stale' } : row,
            ),
            settings,
          ),
      },
    };
    const fingerprint = vault.fingerprint;
    const broken = await createKeyVault({ storage: failing, home: place.home, env: {} });
    const error = await vaultError(broken.rotateMaster());
    expect(error.message).toMatch(/^the master key was not rotated, nothing was changed: key key_/);
    expect(await storage.keys.list()).toEqual(sealedBefore);
    expect(broken.fingerprint).toBe(fingerprint);
    expect(fs.readdirSync(place.home).filter((name) => name.startsWith('master'))).toEqual([
      'master.key',
    ]);
    await expectAllOpen(broken, secrets);
  });

  it('serialises adds with a rotation, so no key is sealed under the retired key', async () => {
    const place = temporaryHome();
    const { storage, vault, secrets } = await filledVault(place);
    const late = secret();
    const [, added] = await Promise.all([
      vault.rotateMaster(),
      vault.add({ owner: 'usr_3', providerId: 'x', secret: late }),
    ]);
    secrets.set(added.id, late);
    await expectAllOpen(vault, secrets);
    await storage.close();
    await expectAllOpen((await openVault(place)).vault, secrets);
  });

  it('with TTA_MODELS_MASTER_KEY, takes the new key from TTA_MODELS_NEW_MASTER_KEY and asks for the swap', async () => {
    const place = temporaryHome();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('hex');
    const { storage, vault, secrets } = await filledVault(place, {
      env: { TTA_MODELS_MASTER_KEY: oldKey },
    });
    const missing = await vaultError(vault.rotateMaster());
    expect(missing.status).toBe(400);
    expect(missing.message).toMatch(/set it as TTA_MODELS_NEW_MASTER_KEY, run the rotation again/);

    const rotating = await createKeyVault({
      storage,
      home: place.home,
      env: { TTA_MODELS_MASTER_KEY: oldKey, TTA_MODELS_NEW_MASTER_KEY: newKey },
    });
    const result = await rotating.rotateMaster();
    expect(result).toMatchObject({
      resealed: 3,
      source: 'environment',
      fingerprint: masterKeyFingerprint(Buffer.from(newKey, 'hex')),
      notice: expect.stringMatching(
        /set TTA_MODELS_MASTER_KEY to its value and remove TTA_MODELS_NEW_MASTER_KEY/,
      ),
    });
    expect(fs.readdirSync(place.home).filter((name) => name.startsWith('master'))).toEqual([]);
    await expectAllOpen(rotating, secrets);

    // Restarted before the swap: still works, and says so.
    const beforeSwap = await createKeyVault({
      storage,
      home: place.home,
      env: { TTA_MODELS_MASTER_KEY: oldKey, TTA_MODELS_NEW_MASTER_KEY: newKey },
    });
    expect(beforeSwap.notices).toEqual([
      expect.stringMatching(/set TTA_MODELS_MASTER_KEY to that value/),
    ]);
    await expectAllOpen(beforeSwap, secrets);
    // After the swap.
    const afterSwap = await createKeyVault({
      storage,
      home: place.home,
      env: { TTA_MODELS_MASTER_KEY: newKey },
    });
    await expectAllOpen(afterSwap, secrets);
    // The old key alone is now the wrong key.
    await expect(
      createKeyVault({ storage, home: place.home, env: { TTA_MODELS_MASTER_KEY: oldKey } }),
    ).rejects.toThrow(/the vault was sealed with master key/);
    // Rotating to the key in use is refused.
    const same = await vaultError(
      createKeyVault({
        storage,
        home: place.home,
        env: { TTA_MODELS_MASTER_KEY: newKey, TTA_MODELS_NEW_MASTER_KEY: newKey },
      }).then((again) => again.rotateMaster()),
    );
    expect(same.message).toMatch(/is the master key in use/);
  });
});
