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
});
