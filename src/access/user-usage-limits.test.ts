import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageLimitError } from '../spec/index.js';
import { openStorage, type Storage, type UsageLimits } from '../storage/index.js';
import { createUserUsageLimits } from './user-usage-limits.js';

let directory: string;
let storage: Storage;
// 2026-11-27 23:59:30 UTC: 30 s to the next minute and to the next day.
let clock: number;

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-limits-'));
  storage = await openStorage({ path: path.join(directory, 'db.sqlite') });
  clock = Date.parse('2026-11-27T23:59:30Z');
});
afterEach(async () => {
  await storage.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function limitsWith(defaults: UsageLimits) {
  return createUserUsageLimits({
    store: storage.usage,
    defaults,
    pricing: (model) => (model === 'priced/model' ? { prompt: 0.01, completion: 0.02 } : undefined),
    now: () => clock,
  });
}

/** The refusal of `attempt`, which must be a UsageLimitError. */
async function refusal(attempt: Promise<unknown>): Promise<UsageLimitError> {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toMatchObject({ name: 'UsageLimitError', status: 429 });
  return error as UsageLimitError;
}

const usage = (prompt: number, completion: number, cost?: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  ...(cost === undefined ? {} : { cost }),
});

describe('user usage limits', () => {
  it("puts a user's own limits over the defaults: a number replaces, null lifts, missing keeps", () => {
    const limits = limitsWith({ requestsPerMinute: 10, requestsPerDay: 100, tokensPerDay: 5 });
    expect(limits.limitsFor(undefined)).toEqual({
      requestsPerMinute: 10,
      requestsPerDay: 100,
      tokensPerDay: 5,
    });
    expect(limits.limitsFor({ requestsPerDay: 3, tokensPerDay: null, costPerDayUsd: 0.5 })).toEqual(
      { requestsPerMinute: 10, requestsPerDay: 3, costPerDayUsd: 0.5 },
    );
  });

  it('refuses the request over the per-minute limit until the next minute, without counting it', async () => {
    const limits = limitsWith({ requestsPerMinute: 2 });
    const ada = { owner: 'usr_ada', name: 'ada' };
    await limits.admit(ada);
    await limits.admit(ada);
    const refused = await refusal(limits.admit(ada));
    expect(refused.code).toBe('requests_per_minute_exceeded');
    expect(refused.retryAfterMs).toBe(30_000);
    expect(refused.message).toMatch(/2 requests this minute.*wait 30 s/);
    // Someone else is counted apart.
    await limits.admit({ owner: 'usr_bob', name: 'bob' });
    clock += 30_000;
    await limits.admit(ada);
    expect((await limits.report({ id: 'usr_ada', name: 'ada', limits: {} })).used).toMatchObject({
      requests: 1,
      requestsThisMinute: 1,
    });
  });

  it('refuses over the daily request limit until 00:00 UTC, and says how to get more', async () => {
    const limits = limitsWith({ requestsPerDay: 1 });
    const ada = { owner: 'usr_ada', name: 'ada', limits: { requestsPerDay: 2 } };
    await limits.admit(ada);
    await limits.admit(ada);
    const refused = await refusal(limits.admit(ada));
    expect(refused.code).toBe('requests_per_day_exceeded');
    expect(refused.retryAfterMs).toBe(30_000);
    expect(refused.message).toMatch(/all 2 requests of your daily limit; it resets at 00:00 UTC/);
    expect(refused.message).toMatch(/tta-models users limits/);
    clock += 30_000;
    await limits.admit(ada);
  });

  it('counts tokens and cost after the answer, so the budget stops the next request', async () => {
    clock = Date.parse('2026-11-27T10:00:00Z');
    const limits = limitsWith({ tokensPerDay: 100 });
    const ada = { owner: 'usr_ada', name: 'ada' };
    const charge = await limits.admit(ada);
    charge(usage(60, 50), 'free/model');
    // Not awaited: the next request waits for the charge before it is admitted.
    const refused = await refusal(limits.admit(ada));
    expect(refused.code).toBe('tokens_per_day_exceeded');
    expect(refused.retryAfterMs).toBe(14 * 3_600_000);
    expect(refused.message).toMatch(/110 tokens of your daily budget of 100/);

    const spender = { owner: 'usr_bob', name: 'bob', limits: { costPerDayUsd: 1 } };
    (await limits.admit(spender))(usage(10, 10, 0.5), 'free/model');
    // No reported cost: estimated from the catalog's prices (10 × 0.01 + 20 × 0.02 = 0.5).
    (await limits.admit(spender))(usage(10, 20), 'priced/model');
    const broke = await refusal(limits.admit(spender));
    expect(broke.code).toBe('cost_per_day_exceeded');
    expect(broke.message).toMatch(/spent \$1\.0000 of your daily budget of \$1/);
    expect(
      await limits.report({ id: 'usr_bob', name: 'bob', limits: spender.limits }),
    ).toMatchObject({
      day: '2026-11-27',
      used: { requests: 2, tokens: 50, costUsd: 1 },
      limits: { costPerDayUsd: 1, tokensPerDay: 100 },
      resetsAt: '2026-11-28T00:00:00.000Z',
    });
  });

  it('refuses everything under a limit of 0', async () => {
    const limits = limitsWith({ requestsPerDay: 0 });
    expect((await refusal(limits.admit({ owner: 'usr_ada', name: 'ada' }))).code).toBe(
      'requests_per_day_exceeded',
    );
    // A user whose own limit lifts it is served.
    await limits.admit({ owner: 'usr_bob', name: 'bob', limits: { requestsPerDay: null } });
  });

  it('serves a user uncounted while another process holds the database, and counts again after', async () => {
    const file = path.join(directory, 'locked.sqlite');
    const locked = await openStorage({ path: file, busyTimeoutMs: 20 });
    const uncounted: unknown[] = [];
    const limits = createUserUsageLimits({
      store: locked.usage,
      defaults: { requestsPerDay: 1 },
      onUncounted: (error) => uncounted.push(error),
      now: () => clock,
    });
    const ada = { owner: 'usr_ada', name: 'ada' };
    const other = new BetterSqlite3(file);
    try {
      other.exec('begin exclusive');
      await limits.admit(ada);
      expect(uncounted).toHaveLength(1);
      expect(uncounted[0]).toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      other.exec('commit');
      await limits.admit(ada);
      expect((await refusal(limits.admit(ada))).code).toBe('requests_per_day_exceeded');
    } finally {
      other.close();
      await locked.close();
    }
  });
});
