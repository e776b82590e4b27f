import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from './database.js';

const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describe('settings', () => {
  it('stores, replaces, lists and deletes values, stamped by the injected clock', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-settings-'));
    folders.push(folder);
    const databasePath = path.join(folder, 'gateway.sqlite');
    let clock = 1_000;
    const storage = await openStorage({ path: databasePath, now: () => clock });

    expect(await storage.settings.get('admin_token_sha256')).toBeUndefined();
    await storage.settings.set('admin_token_sha256', 'first');
    clock = 2_000;
    await storage.settings.set('admin_token_sha256', 'second');
    await storage.settings.set('theme', 'dark');
    expect(await storage.settings.get('admin_token_sha256')).toBe('second');
    expect(await storage.settings.entries()).toEqual([
      { key: 'admin_token_sha256', value: 'second', updatedAt: 2_000 },
      { key: 'theme', value: 'dark', updatedAt: 2_000 },
    ]);

    expect(await storage.settings.delete('theme')).toBe(true);
    expect(await storage.settings.delete('theme')).toBe(false);
    await storage.close();

    const reopened = await openStorage({ path: databasePath });
    expect(await reopened.settings.get('admin_token_sha256')).toBe('second');
    expect(await reopened.settings.get('theme')).toBeUndefined();
    await reopened.close();
  });
});
