import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { SessionRecord } from './sessions.js';

function session(id: string, changes: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    owner: 'operator',
    requestedModel: 'auto',
    pinnedModel: null,
    turns: 1,
    history: [],
    createdAt: 1_000,
    updatedAt: 1_000,
    ...changes,
  };
}

describeEachDialect('sessions', (database) => {
  it('stores many sessions saved at once, each with its own outcome', async () => {
    const storage = await database.open();
    const ids = Array.from({ length: 250 }, (_, index) => `player-${index}`);
    expect(await Promise.all(ids.map((id) => storage.sessions.save(session(id))))).toEqual(
      ids.map(() => 1),
    );
    // One of them is stale: computed from revision 0 while revision 1 is stored.
    const outcomes = await Promise.all([
      storage.sessions.save(session('player-1', { turns: 2, revision: 1 })),
      storage.sessions.save(session('player-2', { turns: 9, revision: 0 })),
      storage.sessions.save(session('player-new', { pinnedModel: 'up/two' })),
    ]);
    expect(outcomes).toEqual([2, undefined, 1]);
    expect(await storage.sessions.get('player-1')).toMatchObject({ turns: 2, revision: 2 });
    expect(await storage.sessions.get('player-2')).toMatchObject({ turns: 1, revision: 1 });
    expect(await storage.sessions.get('player-new')).toMatchObject({
      pinnedModel: 'up/two',
      revision: 1,
    });
    expect(await storage.sessions.list({ limit: 1000 })).toHaveLength(251);
  });

  it('writes two saves of one session asked for together in the order asked', async () => {
    const storage = await database.open();
    const history = [{ at: 2_000, from: 'up/one', to: 'up/two', cause: 'upstream_error' }];
    const outcomes = await Promise.all([
      storage.sessions.save(session('player-1')),
      storage.sessions.save(session('player-1', { turns: 2, history, revision: 1 })),
    ]);
    expect(outcomes).toEqual([1, 2]);
    expect(await storage.sessions.get('player-1')).toMatchObject({
      turns: 2,
      history,
      revision: 2,
    });
  });

  it('writes a save still waiting when storage closes', async () => {
    const location = await database.newLocation();
    const storage = await database.open({}, location);
    const saved = storage.sessions.save(session('player-1', { turns: 3 }));
    await storage.close();
    expect(await saved).toBe(1);
    const reopened = await database.open({}, location);
    expect(await reopened.sessions.get('player-1')).toMatchObject({ turns: 3, revision: 1 });
  });
});
