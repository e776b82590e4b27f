import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.js';
import { createAccessControl, rotateAdminToken } from './access-control.js';

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

describe('access control', () => {
  it('generates an admin token on first start, stores only its hash, and accepts it afterwards', async () => {
    const first = await createAccessControl({
      settings: storage.settings,
      clientKeys: [],
      env: {},
    });
    const token = first.createdAdminToken;
    expect(token).toMatch(/^tta_admin_[A-Za-z0-9_-]{43}$/);
    expect(first.isAdmin(token)).toBe(true);

    const again = await createAccessControl({
      settings: storage.settings,
      clientKeys: [],
      env: {},
    });
    expect(again.createdAdminToken).toBeUndefined();
    expect(again.isAdmin(token)).toBe(true);
    expect(again.isAdmin('tta_admin_wrong')).toBe(false);
    expect(again.isAdmin(undefined)).toBe(false);

    await storage.close();
    const file = fs.readFileSync(path.join(directory, 'db.sqlite'));
    expect(file.includes(Buffer.from(token ?? 'missing'))).toBe(false);
    storage = await openStorage({ path: path.join(directory, 'db.sqlite') });
  });

  it('prefers TTA_MODELS_ADMIN_TOKEN and generates nothing then', async () => {
    const access = await createAccessControl({
      settings: storage.settings,
      clientKeys: [],
      env: { TTA_MODELS_ADMIN_TOKEN: 'from-the-environment' },
    });
    expect(access.createdAdminToken).toBeUndefined();
    expect(access.adminTokenSource).toBe('environment');
    expect(access.isAdmin('from-the-environment')).toBe(true);
  });

  it('rotation replaces the old token', async () => {
    const old = (await createAccessControl({ settings: storage.settings, clientKeys: [], env: {} }))
      .createdAdminToken;
    const rotated = await rotateAdminToken(storage.settings);
    const access = await createAccessControl({
      settings: storage.settings,
      clientKeys: [],
      env: {},
    });
    expect(access.isAdmin(rotated)).toBe(true);
    expect(access.isAdmin(old)).toBe(false);
  });

  it('leaves the data plane open without client keys and locks it with them', async () => {
    const open = await createAccessControl({ settings: storage.settings, clientKeys: [], env: {} });
    expect(open.dataPlaneLocked).toBe(false);
    expect(open.mayCallModels(undefined)).toBe(true);

    const locked = await createAccessControl({
      settings: storage.settings,
      clientKeys: ['client-key-0123456789abcdef'],
      env: { TTA_MODELS_ADMIN_TOKEN: 'admin-token' },
    });
    expect(locked.dataPlaneLocked).toBe(true);
    expect(locked.mayCallModels(undefined)).toBe(false);
    expect(locked.mayCallModels('client-key-0123456789abcdef')).toBe(true);
    expect(locked.mayCallModels('admin-token')).toBe(true);
    expect(locked.mayCallModels('guess')).toBe(false);
  });
});
