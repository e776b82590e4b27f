import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';

describeEachDialect('settings', (database) => {
  it('stores, replaces, lists and deletes values, stamped by the injected clock', async () => {
    const location = await database.newLocation();
    let clock = 1_000;
    const storage = await database.open({ now: () => clock }, location);

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

    const reopened = await database.open({}, location);
    expect(await reopened.settings.get('admin_token_sha256')).toBe('second');
    expect(await reopened.settings.get('theme')).toBeUndefined();
  });
});
