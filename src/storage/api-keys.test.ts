import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { ApiKeyRecord } from './api-keys.js';

function record(id: string, changes: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    owner: 'operator',
    providerId: 'openrouter',
    label: null,
    last4: 'abcd',
    sealed: `sealed-${id}`,
    createdAt: 100,
    lastUsedAt: null,
    status: 'unchecked',
    statusMessage: null,
    checkedAt: null,
    ...changes,
  };
}

describeEachDialect('storage.keys', (database) => {
  it('inserts, gets, lists by owner and provider, updates and deletes', async () => {
    const storage = await database.open({ now: () => 1_000 });
    await storage.keys.insert(record('key_a', { owner: 'usr_1', label: 'mine', createdAt: 200 }));
    await storage.keys.insert(record('key_b', { owner: 'usr_2', createdAt: 100 }));
    await storage.keys.insert(
      record('key_c', { owner: 'usr_1', providerId: 'claude', createdAt: 300 }),
    );
    await expect(storage.keys.insert(record('key_a'))).rejects.toThrow();

    expect(await storage.keys.get('key_a')).toEqual(
      record('key_a', { owner: 'usr_1', label: 'mine', createdAt: 200 }),
    );
    expect(await storage.keys.get('key_missing')).toBeUndefined();
    expect((await storage.keys.list()).map((key) => key.id)).toEqual(['key_b', 'key_a', 'key_c']);
    expect((await storage.keys.list({ owner: 'usr_1' })).map((key) => key.id)).toEqual([
      'key_a',
      'key_c',
    ]);
    expect(
      (await storage.keys.list({ owner: 'usr_1', providerId: 'claude' })).map((key) => key.id),
    ).toEqual(['key_c']);

    expect(
      await storage.keys.updateStatus('key_a', {
        status: 'invalid',
        statusMessage: 'rejected',
        checkedAt: 500,
      }),
    ).toBe(true);
    expect(await storage.keys.touch('key_a', 600)).toBe(true);
    expect(await storage.keys.touch('key_missing', 600)).toBe(false);
    expect(await storage.keys.get('key_a')).toMatchObject({
      status: 'invalid',
      statusMessage: 'rejected',
      checkedAt: 500,
      lastUsedAt: 600,
    });

    expect(await storage.keys.delete('key_a')).toBe(true);
    expect(await storage.keys.delete('key_a')).toBe(false);
    expect((await storage.keys.list()).map((key) => key.id)).toEqual(['key_b', 'key_c']);
  });

  it('reseals every row and writes settings in one transaction', async () => {
    const storage = await database.open({ now: () => 7_000 });
    await storage.keys.insert(record('key_a'));
    await storage.keys.insert(record('key_b'));
    const count = await storage.keys.resealAll(
      [
        { id: 'key_a', previous: 'sealed-key_a', sealed: 'new-a' },
        { id: 'key_b', previous: 'sealed-key_b', sealed: 'new-b' },
      ],
      { vault_fingerprint: 'new' },
    );
    expect(count).toBe(2);
    expect((await storage.keys.list()).map((key) => key.sealed)).toEqual(['new-a', 'new-b']);
    expect(await storage.settings.get('vault_fingerprint')).toBe('new');
  });

  it('writes nothing when a row is missing, extra or changed meanwhile', async () => {
    const storage = await database.open({ now: () => 1_000 });
    await storage.settings.set('vault_fingerprint', 'old');
    await storage.keys.insert(record('key_a'));
    await storage.keys.insert(record('key_b'));
    const before = await storage.keys.list();
    const settings = { vault_fingerprint: 'new' };

    // One row left out (a key added while the rotation prepared its rows).
    await expect(
      storage.keys.resealAll([{ id: 'key_a', previous: 'sealed-key_a', sealed: 'x' }], settings),
    ).rejects.toMatchObject({ name: 'ResealConflictError' });
    // The last row no longer holds what the rotation read: the first update is rolled back.
    await expect(
      storage.keys.resealAll(
        [
          { id: 'key_a', previous: 'sealed-key_a', sealed: 'x' },
          { id: 'key_b', previous: 'stale', sealed: 'y' },
        ],
        settings,
      ),
    ).rejects.toThrow(/key_b was removed or changed meanwhile; nothing was written/);
    // The same row twice.
    await expect(
      storage.keys.resealAll(
        [
          { id: 'key_a', previous: 'sealed-key_a', sealed: 'x' },
          { id: 'key_a', previous: 'sealed-key_a', sealed: 'y' },
        ],
        settings,
      ),
    ).rejects.toMatchObject({ name: 'ResealConflictError' });

    expect(await storage.keys.list()).toEqual(before);
    expect(await storage.settings.get('vault_fingerprint')).toBe('old');
  });
});
