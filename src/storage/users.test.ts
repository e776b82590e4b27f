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
});
