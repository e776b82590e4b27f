import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.js';
import { createAccessControl, rotateAdminToken } from './access-control.js';
import { createUserTokens } from './user-tokens.js';

let directory: string;
let storage: Storage;

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-access-'));
  storage = await openStorage({ path: path.join(directory, 'db.sqlite') });
});
afterEach(async () => {
  await storage.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function accessWith(
  options: { clientKeys?: string[]; env?: NodeJS.ProcessEnv; now?: () => number } = {},
) {
  return createAccessControl({
    settings: storage.settings,
    users: storage.users,
    clientKeys: options.clientKeys ?? [],
    env: options.env ?? {},
    ...(options.now ? { now: options.now } : {}),
  });
}

describe('access control', () => {
  it('generates an admin token on first start, stores only its hash, and accepts it afterwards', async () => {
    const first = await accessWith();
    const token = first.createdAdminToken;
    expect(token).toMatch(/^tta_admin_[A-Za-z0-9_-]{43}$/);
    expect(await first.identify(token)).toMatchObject({ kind: 'admin', owner: 'operator' });

    const again = await accessWith();
    expect(again.createdAdminToken).toBeUndefined();
    expect((await again.identify(token))?.kind).toBe('admin');
    expect(await again.identify('tta_admin_wrong')).toBeUndefined();
    expect(await again.identify(undefined)).toBeUndefined();

    await storage.close();
    const file = fs.readFileSync(path.join(directory, 'db.sqlite'));
    expect(file.includes(Buffer.from(token ?? 'missing'))).toBe(false);
    storage = await openStorage({ path: path.join(directory, 'db.sqlite') });
  });

  it('prefers TTA_MODELS_ADMIN_TOKEN and generates nothing then', async () => {
    const access = await accessWith({ env: { TTA_MODELS_ADMIN_TOKEN: 'from-the-environment' } });
    expect(access.createdAdminToken).toBeUndefined();
    expect(access.adminTokenSource).toBe('environment');
    expect((await access.identify('from-the-environment'))?.kind).toBe('admin');
  });

  it('rotation replaces the old token', async () => {
    const old = (await accessWith()).createdAdminToken;
    const rotated = await rotateAdminToken(storage.settings);
    const access = await accessWith();
    expect((await access.identify(rotated))?.kind).toBe('admin');
    expect(await access.identify(old)).toBeUndefined();
  });

  it('switches a running gateway to a token rotated elsewhere within 5 s, or at once when told', async () => {
    let clock = 1_000_000;
    const old = (await accessWith()).createdAdminToken;
    const running = await accessWith({ now: () => clock });
    expect((await running.identify(old))?.kind).toBe('admin');

    const rotated = await rotateAdminToken(storage.settings);
    clock += 4_000;
    expect((await running.identify(old))?.kind).toBe('admin');
    clock += 1_000;
    expect(await running.identify(old)).toBeUndefined();
    expect((await running.identify(rotated))?.kind).toBe('admin');

    // A replica hears of a settings change at once (PostgreSQL's notifications).
    const again = await rotateAdminToken(storage.settings);
    await running.settingsChanged();
    expect((await running.identify(again))?.kind).toBe('admin');
    expect(await running.identify(rotated)).toBeUndefined();
  });

  it('leaves the data plane open without client keys or users, and locks it with either', async () => {
    const open = await accessWith();
    expect(open.dataPlaneLocked).toBe(false);
    expect(await open.dataPlaneCaller(undefined)).toEqual({ kind: 'anonymous', owner: 'operator' });
    expect((await open.dataPlaneCaller('anything'))?.kind).toBe('anonymous');

    const locked = await accessWith({
      clientKeys: ['client-key-0123456789abcdef'],
      env: { TTA_MODELS_ADMIN_TOKEN: 'admin-token' },
    });
    expect(locked.dataPlaneLocked).toBe(true);
    expect(await locked.dataPlaneCaller(undefined)).toBeUndefined();
    expect(await locked.dataPlaneCaller('client-key-0123456789abcdef')).toEqual({
      kind: 'client',
      owner: 'operator',
    });
    expect((await locked.dataPlaneCaller('admin-token'))?.kind).toBe('admin');
    expect(await locked.dataPlaneCaller('guess')).toBeUndefined();

    const users = createUserTokens(storage.users, open);
    await users.add('player-one');
    expect(open.dataPlaneLocked).toBe(true);
    expect(await open.dataPlaneCaller(undefined)).toBeUndefined();
  });

  it('identifies user tokens, and forgets revoked users', async () => {
    let clock = 0;
    const access = await accessWith({ now: () => clock });
    const users = createUserTokens(storage.users, access);
    const { user, token } = await users.add('player-one');
    expect(token).toMatch(/^tta_user_/);
    expect(await access.identify(token)).toEqual({
      kind: 'user',
      owner: user.id,
      name: 'player-one',
    });
    expect(await users.revoke('player-one')).toBe(true);
    expect(await access.identify(token)).toBeUndefined();
    clock += 10_000;
    expect(await access.identify(token)).toBeUndefined();
    await expect(users.add('player-one')).rejects.toThrow(/player-one/);
  });

  it('keeps the data plane locked after the last user is revoked', async () => {
    const access = await accessWith();
    const users = createUserTokens(storage.users, access);
    const { token } = await users.add('only-player');
    expect(await users.revoke('only-player')).toBe(true);
    expect(access.dataPlaneLocked).toBe(true);
    expect(await access.dataPlaneCaller(token)).toBeUndefined();
    expect(await access.dataPlaneCaller(undefined)).toBeUndefined();
    // A fresh start (another replica, a restart) agrees.
    const restarted = await accessWith();
    expect(restarted.dataPlaneLocked).toBe(true);
    expect(await restarted.dataPlaneCaller('anything')).toBeUndefined();
  });

  it('keeps a known token working while the database is down, and refuses unknown ones', async () => {
    let clock = 0;
    const access = await accessWith({ now: () => clock });
    const users = createUserTokens(storage.users, access);
    const { token } = await users.add('player-three');
    expect((await access.dataPlaneCaller(token))?.kind).toBe('user');
    clock += 10_000;
    // How pg reports a dropped connection (see storage/database-unavailable.ts).
    const down = new Error('Connection terminated unexpectedly');
    const lookUp = storage.users.findByTokenHash;
    storage.users.findByTokenHash = () => Promise.reject(down);
    try {
      expect(await access.dataPlaneCaller(token)).toMatchObject({ name: 'player-three' });
      await expect(access.dataPlaneCaller('tta_user_never_seen')).rejects.toBe(down);
    } finally {
      storage.users.findByTokenHash = lookUp;
    }
  });

  it('refuses a token once it expires, says when, and a rotation keeps or sets the expiry', async () => {
    let clock = Date.parse('2026-11-27T12:00:00Z');
    const access = await accessWith({ now: () => clock });
    const users = createUserTokens(storage.users, access, () => clock);
    const { user, token } = await users.add('player-two', 'user', {
      expiry: { expiresIn: '1h' },
      limits: { requestsPerDay: 3 },
    });
    expect(user).toMatchObject({ status: 'active', expiresAt: clock + 3_600_000 });
    expect(await access.identify(token)).toEqual({
      kind: 'user',
      owner: user.id,
      name: 'player-two',
      limits: { requestsPerDay: 3 },
    });
    expect(await access.expiredAt(token)).toBeUndefined();

    // The lookup is cached; expiry is still checked on every call.
    clock += 3_600_000;
    expect(await access.identify(token)).toBeUndefined();
    expect(await access.dataPlaneCaller(token)).toBeUndefined();
    expect(await access.expiredAt(token)).toBe(clock);
    expect(await access.expiredAt('tta_user_unknown')).toBeUndefined();
    expect((await users.get('player-two'))?.status).toBe('expired');

    // An expired token cannot be rotated into another expired one: a lifetime is needed.
    await expect(users.rotate('player-two')).rejects.toThrow(/expired at .*give the new token/);
    const rotated = await users.rotate('player-two', { expiry: { expiresIn: '30d' } });
    expect(rotated?.user).toMatchObject({ status: 'active', expiresAt: clock + 30 * 86_400_000 });
    expect((await access.identify(rotated?.token))?.kind).toBe('user');
    expect(await access.identify(token)).toBeUndefined();
    expect(await access.expiredAt(token)).toBeUndefined();
    // Without an expiry the rotation keeps the current one; "never" lifts it.
    const kept = await users.rotate(user.id);
    expect(kept?.user.expiresAt).toBe(clock + 30 * 86_400_000);
    expect((await users.rotate(user.id, { expiry: { never: true } }))?.user.expiresAt).toBeNull();

    await expect(
      users.add('bad-expiry', 'user', { expiry: { expiresIn: 'soon' } }),
    ).rejects.toThrow(/not a lifetime: write a number and m, h, d or w/);
    await expect(
      users.add('past-expiry', 'user', { expiry: { expiresAt: '2020-01-01T00:00:00Z' } }),
    ).rejects.toThrow(/has passed/);
    expect(await users.get('bad-expiry')).toBeUndefined();
  });
});
