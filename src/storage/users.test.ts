import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';

describeEachDialect('storage.users', (database) => {
  it('adds, finds by token hash, lists and revokes users', async () => {
    let clock = 1_000;
    const location = await database.newLocation();
    const storage = await database.open({ now: () => clock }, location);
    const ada = await storage.users.add({ name: 'ada', tokenHash: 'hash-ada', role: 'admin' });
    clock = 2_000;
    const bob = await storage.users.add({ name: 'bob', tokenHash: 'hash-bob', role: 'user' });
    expect(ada).toEqual({
      id: expect.stringMatching(/^usr_[0-9a-f]{16}$/),
      name: 'ada',
      role: 'admin',
      createdAt: 1_000,
      revokedAt: null,
      expiresAt: null,
      limits: {},
    });
    await expect(
      storage.users.add({ name: 'ada', tokenHash: 'other', role: 'user' }),
    ).rejects.toThrow('a user named "ada" already exists');
    await expect(
      storage.users.add({ name: 'cy', tokenHash: 'hash-bob', role: 'user' }),
    ).rejects.toMatchObject({ name: 'UserConflictError' });

    expect(await storage.users.findByTokenHash('hash-bob')).toEqual(bob);
    expect(await storage.users.findByTokenHash('nope')).toBeUndefined();
    expect(await storage.users.findByName('ada')).toEqual(ada);
    expect(await storage.users.get(bob.id)).toEqual(bob);
    expect(await storage.users.replaceTokenHash(bob.id, 'hash-bob-2')).toBe(true);
    expect(await storage.users.findByTokenHash('hash-bob')).toBeUndefined();

    clock = 3_000;
    expect(await storage.users.revoke(bob.id)).toBe(true);
    expect(await storage.users.revoke(bob.id)).toBe(false);
    expect(await storage.users.findByTokenHash('hash-bob-2')).toBeUndefined();
    expect(await storage.users.replaceTokenHash(bob.id, 'hash-bob-3')).toBe(false);
    await storage.close();

    const reopened = await database.open({}, location);
    expect(await reopened.users.list()).toEqual([ada, { ...bob, revokedAt: 3_000 }]);
  });

  it('keeps expiry and limits, and writes each change with its audit entry, never the token hash', async () => {
    let clock = 10_000;
    const location = await database.newLocation();
    const storage = await database.open({ now: () => clock }, location);
    const by = { actor: 'admin', channel: 'api' as const, reason: 'new player' };
    const ada = await storage.users.add(
      {
        name: 'ada',
        tokenHash: 'secret-hash-1',
        role: 'user',
        expiresAt: 50_000,
        limits: { requestsPerDay: 5, costPerDayUsd: null },
      },
      by,
    );
    expect(ada).toMatchObject({
      expiresAt: 50_000,
      limits: { requestsPerDay: 5, costPerDayUsd: null },
    });
    // Expired or not, the token still finds the user: access control says "expired".
    clock = 60_000;
    expect(await storage.users.findByTokenHash('secret-hash-1')).toMatchObject({ name: 'ada' });

    expect(
      await storage.users.replaceTokenHash(ada.id, 'secret-hash-2', { expiresAt: 90_000 }, by),
    ).toBe(true);
    expect((await storage.users.get(ada.id))?.expiresAt).toBe(90_000);
    expect(await storage.users.replaceTokenHash(ada.id, 'secret-hash-3', {}, by)).toBe(true);
    expect((await storage.users.get(ada.id))?.expiresAt).toBe(90_000);
    expect(await storage.users.replaceTokenHash(ada.id, 'secret-hash-4', { expiresAt: null })).toBe(
      true,
    );
    expect((await storage.users.get(ada.id))?.expiresAt).toBeNull();

    const limited = await storage.users.setLimits(ada.id, { tokensPerDay: 1_000 }, by);
    expect(limited?.limits).toEqual({ tokensPerDay: 1_000 });
    expect(await storage.users.setLimits('usr_missing', {}, by)).toBeUndefined();
    expect(await storage.users.revoke(ada.id, by)).toBe(true);
    expect(await storage.users.setLimits(ada.id, {}, by)).toBeUndefined();

    const entries = await storage.audit.list({ subject: 'user:ada' });
    expect(entries.map((entry) => entry.action)).toEqual([
      'users.revoke',
      'users.limits',
      'users.rotate',
      'users.rotate',
      'users.add',
    ]);
    expect(entries.find((entry) => entry.action === 'users.limits')?.detail).toEqual({
      id: ada.id,
      from: { requestsPerDay: 5, costPerDayUsd: null },
      to: { tokensPerDay: 1_000 },
    });
    expect(entries.every((entry) => entry.actor === 'admin' && entry.reason === 'new player')).toBe(
      true,
    );
    expect(JSON.stringify(entries)).not.toContain('secret-hash');
    // Unaudited calls (the third rotation) write no entry; prefixes and actors filter.
    expect(await storage.audit.list({ action: 'users.*', actor: 'nobody' })).toEqual([]);
    expect((await storage.audit.list({ action: 'users.r*' })).length).toBe(3);
    expect((await storage.audit.list({ since: 60_000, channel: 'api' })).length).toBe(4);
    expect((await storage.audit.list({ action: 'users_*' })).length).toBe(0);

    await storage.close();
    const reopened = await database.open({}, location);
    expect((await reopened.users.get(ada.id))?.limits).toEqual({ tokensPerDay: 1_000 });
  });
});
