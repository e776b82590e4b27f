import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';

const minute = 1_700_000_040_000;

describeEachDialect('storage.usage', (database) => {
  it('counts requests up to each limit, refusing without counting, per day and minute', async () => {
    const storage = await database.open();
    const slot = { userId: 'usr_a', day: '2026-11-27', minuteStart: minute };
    const limits = { requestsPerDay: 3, requestsPerMinute: 2 };
    expect((await storage.usage.admit(slot, limits)).admitted).toBe(true);
    expect((await storage.usage.admit(slot, limits)).admitted).toBe(true);
    const third = await storage.usage.admit(slot, limits);
    expect(third).toMatchObject({ admitted: false, usage: { requests: 2, minuteRequests: 2 } });
    // A new minute: the minute counter starts again, the day's goes on to its limit.
    const next = { ...slot, minuteStart: minute + 60_000 };
    expect(await storage.usage.admit(next, limits)).toMatchObject({
      admitted: true,
      usage: { requests: 3, minuteRequests: 1, minuteStart: minute + 60_000 },
    });
    expect(await storage.usage.admit(next, limits)).toMatchObject({
      admitted: false,
      usage: { requests: 3 },
    });
    // Another day, another user: counted apart; no limits always admits.
    expect((await storage.usage.admit({ ...slot, day: '2026-11-28' }, limits)).admitted).toBe(true);
    for (let request = 0; request < 3; request++)
      expect((await storage.usage.admit({ ...slot, userId: 'usr_b' }, {})).admitted).toBe(true);
    expect((await storage.usage.list('2026-11-27')).map((usage) => usage.userId)).toEqual([
      'usr_a',
      'usr_b',
    ]);
    expect((await storage.usage.get('usr_b', '2026-11-27')).requests).toBe(3);
  });

  it('adds tokens and cost after the answer, and refuses the next request over a budget', async () => {
    const storage = await database.open();
    const slot = { userId: 'usr_a', day: '2026-11-27', minuteStart: minute };
    const budget = { tokensPerDay: 100, costPerDayUsd: 0.5 };
    expect((await storage.usage.admit(slot, budget)).admitted).toBe(true);
    await storage.usage.charge(slot, 60, 0.25);
    expect((await storage.usage.admit(slot, budget)).admitted).toBe(true);
    await storage.usage.charge(slot, 60, 0.125);
    expect(await storage.usage.admit(slot, budget)).toMatchObject({
      admitted: false,
      usage: { requests: 2, tokens: 120, costUsd: 0.375 },
    });
    expect((await storage.usage.admit(slot, { costPerDayUsd: 0.5 })).admitted).toBe(true);
    await storage.usage.charge({ userId: 'usr_new', day: slot.day }, 7, 0.001);
    expect(await storage.usage.get('usr_new', slot.day)).toMatchObject({
      requests: 0,
      tokens: 7,
      costUsd: 0.001,
    });
    expect(await storage.usage.get('usr_none', slot.day)).toMatchObject({ requests: 0, tokens: 0 });
  });

  it('never admits more than the limit when several processes admit at once', async () => {
    const location = await database.newLocation();
    const replicas = [await database.open({}, location), await database.open({}, location)];
    const slot = { userId: 'usr_a', day: '2026-11-27', minuteStart: minute };
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (replicas[index % 2] ?? replicas[0])?.usage.admit(slot, { requestsPerDay: 25 }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome?.admitted).length).toBe(25);
    expect((await replicas[0]?.usage.get('usr_a', slot.day))?.requests).toBe(25);
  });
});
