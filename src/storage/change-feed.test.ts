import { describe, expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { ChangeTopic } from './change-feed.js';
import type { Storage } from './storage.js';

/** Collects what a storage's change feed delivers. */
function hear(storage: Storage, topics: readonly ChangeTopic[]): ChangeTopic[] {
  const heard: ChangeTopic[] = [];
  storage.changes.subscribe(topics, (topic) => heard.push(topic));
  return heard;
}

/** Waits (bounded) for a condition another connection brings about. */
const soon = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

describeEachDialect(
  'change feed',
  (database) => {
    it("pushes another replica's committed writes to each topic's listeners", async () => {
      const location = await database.newLocation();
      const a = await database.open({}, location);
      const b = await database.open({}, location);
      const heard = hear(b, ['users', 'keys', 'versions', 'settings']);
      // The first connection announces every topic once: what was written before it listened.
      await soon(() => expect(b.changes.connected).toBe(true));
      await soon(() => expect(heard).toHaveLength(4));
      heard.length = 0;

      const user = await a.users.add({ name: 'ada', role: 'user', tokenHash: 'f'.repeat(64) });
      await soon(() => expect(heard).toEqual(['users']));
      await a.users.revoke(user.id);
      await soon(() => expect(heard).toEqual(['users', 'users']));
      await a.settings.set('preferences:ada', '{}');
      await soon(() => expect(heard).toContain('settings'));
      // Busy tables announce nothing: the request log is not a topic.
      expect(heard.every((topic) => topic !== ('requests' as ChangeTopic))).toBe(true);
    });

    it('reconnects after the listening connection is killed, and says everything may have changed', async () => {
      const location = await database.newLocation();
      const a = await database.open({}, location);
      const b = await database.open({ onError: () => {} }, location);
      const heard = hear(b, ['users']);
      await soon(() => expect(heard).toEqual(['users']));

      // An operator (or a failover) ends the connection from the server side.
      await database.query(
        location,
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tta-models-changes'",
      );
      // Back again: one announcement for what may have been missed while it was down.
      await soon(() => expect(heard).toEqual(['users', 'users']));
      await soon(() => expect(b.changes.connected).toBe(true));
      await a.users.add({ name: 'bo', role: 'user', tokenHash: 'e'.repeat(64) });
      await soon(() => expect(heard).toEqual(['users', 'users', 'users']));
    });
  },
  { only: ['postgres'] },
);

describe('change feed on SQLite', () => {
  it('is silent and opens nothing: one process owns the file', async () => {
    const { openStorage } = await import('./database.js');
    const storage = await openStorage({ path: ':memory:' });
    try {
      expect(storage.changes.pushed).toBe(false);
      const listener = vi.fn();
      storage.changes.subscribe(['users'], listener);
      await storage.users.add({ name: 'ada', role: 'user', tokenHash: 'f'.repeat(64) });
      expect(listener).not.toHaveBeenCalled();
    } finally {
      await storage.close();
    }
  });
});
