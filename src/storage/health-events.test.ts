import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';

describeEachDialect('health events', (database) => {
  it('hands one replica what another appended, in order, from where it stopped', async () => {
    const location = await database.newLocation();
    const a = await database.open({}, location);
    const b = await database.open({}, location);
    const opened = await a.healthEvents.add({
      replica: 'a',
      model: 'up/one',
      kind: 'opened',
      at: 10_000,
      durationMs: 15_000,
      cause: '3 failures in a row',
    });
    const cooled = await a.healthEvents.add({
      replica: 'a',
      model: 'up/two',
      kind: 'cooldown',
      at: 11_000,
      durationMs: 30_000,
      cause: 'Retry-After: 30',
    });
    expect(cooled.id).toBeGreaterThan(opened.id);

    const all = await b.healthEvents.after(0);
    expect(all).toEqual([opened, cooled]);
    expect(await b.healthEvents.after(opened.id)).toEqual([cooled]);
    expect(await b.healthEvents.after(cooled.id)).toEqual([]);
    // A replica starting up reads only what may still hold.
    expect(await b.healthEvents.after(0, { since: 10_500 })).toEqual([cooled]);
  });

  it('prunes old events and keeps recent ones', async () => {
    const storage = await database.open();
    for (const at of [1_000, 2_000, 3_000]) {
      await storage.healthEvents.add({
        replica: 'a',
        model: 'up/one',
        kind: 'closed',
        at,
        durationMs: 0,
        cause: 'answered',
      });
    }
    expect(await storage.healthEvents.prune(2_500)).toBe(2);
    expect((await storage.healthEvents.after(0)).map((event) => event.at)).toEqual([3_000]);
  });
});
