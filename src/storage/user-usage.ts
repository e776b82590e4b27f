import { type Kysely, type Selectable, sql } from 'kysely';
import type { DatabaseSchema, UserUsageTable } from './schema.js';
import type { UsageLimits } from './users.js';

/** One user's counters for one UTC day. */
export interface UserUsageRecord {
  /** The user's id. */
  userId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Chat requests admitted that day. */
  requests: number;
  /** Prompt plus completion tokens of that day's answers. */
  tokens: number;
  /** Spend of that day's answers, USD. */
  costUsd: number;
  /** Start of the minute `minuteRequests` counts, epoch milliseconds. */
  minuteStart: number;
  /** Requests admitted in that minute. */
  minuteRequests: number;
}

/** Where a request is counted: whose, which day and which minute. */
export interface UsageSlot {
  userId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Start of the current minute, epoch milliseconds. */
  minuteStart: number;
}

/** The `user_usage` table: counters every replica sharing the database agrees on. */
export interface UserUsageStore {
  /**
   * Counts one request if it stays within `limits` (each set limit must be positive),
   * in one atomic statement, so replicas admitting at once never exceed a request limit.
   * `admitted` false: nothing was counted; `usage` says which limit was reached.
   */
  admit(
    slot: UsageSlot,
    limits: UsageLimits,
  ): Promise<{ admitted: boolean; usage: UserUsageRecord }>;
  /** Adds an answer's tokens and cost to the day's counters. */
  charge(slot: Omit<UsageSlot, 'minuteStart'>, tokens: number, costUsd: number): Promise<void>;
  /** One user's counters for a day (zeros when nothing was counted). */
  get(userId: string, day: string): Promise<UserUsageRecord>;
  /** Every user's counters for a day, most requests first. */
  list(day: string): Promise<UserUsageRecord[]>;
  /** Deletes the counters of days before `day` (`YYYY-MM-DD`); resolves with how many rows. */
  pruneBefore(day: string): Promise<number>;
}

/** The usage store over `user_usage`. */
export function createUserUsageStore(db: Kysely<DatabaseSchema>): UserUsageStore {
  async function get(userId: string, day: string): Promise<UserUsageRecord> {
    const row = await db
      .selectFrom('user_usage')
      .selectAll()
      .where('user_id', '=', userId)
      .where('day', '=', day)
      .executeTakeFirst();
    return row === undefined ? emptyUsage(userId, day) : fromRow(row);
  }

  return {
    async admit(slot, limits) {
      const minute = slot.minuteStart;
      // ON CONFLICT ... DO UPDATE ... WHERE: the row is updated (and returned) only while
      // every limit holds; both SQLite and PostgreSQL evaluate it under the row's lock.
      const row = await db
        .insertInto('user_usage')
        .values({
          user_id: slot.userId,
          day: slot.day,
          requests: 1,
          tokens: 0,
          cost_usd: 0,
          minute_start: minute,
          minute_requests: 1,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['user_id', 'day'])
            .doUpdateSet({
              requests: sql`user_usage.requests + 1`,
              minute_requests: sql`case when user_usage.minute_start = ${minute} then user_usage.minute_requests + 1 else 1 end`,
              minute_start: minute,
            })
            .where((where) => {
              const holds = [];
              if (limits.requestsPerDay !== undefined)
                holds.push(where('user_usage.requests', '<', limits.requestsPerDay));
              if (limits.tokensPerDay !== undefined)
                holds.push(where('user_usage.tokens', '<', limits.tokensPerDay));
              if (limits.costPerDayUsd !== undefined)
                holds.push(where('user_usage.cost_usd', '<', limits.costPerDayUsd));
              if (limits.requestsPerMinute !== undefined)
                holds.push(
                  where.or([
                    where('user_usage.minute_start', '<>', minute),
                    where('user_usage.minute_requests', '<', limits.requestsPerMinute),
                  ]),
                );
              return where.and(holds);
            }),
        )
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return { admitted: true, usage: fromRow(row) };
      return { admitted: false, usage: await get(slot.userId, slot.day) };
    },

    async charge(slot, tokens, costUsd) {
      if (tokens === 0 && costUsd === 0) return;
      await db
        .insertInto('user_usage')
        .values({
          user_id: slot.userId,
          day: slot.day,
          requests: 0,
          tokens,
          cost_usd: costUsd,
          minute_start: 0,
          minute_requests: 0,
        })
        .onConflict((conflict) =>
          conflict.columns(['user_id', 'day']).doUpdateSet({
            tokens: sql`user_usage.tokens + ${tokens}`,
            cost_usd: sql`user_usage.cost_usd + ${costUsd}`,
          }),
        )
        .execute();
    },

    get,

    async list(day) {
      const rows = await db
        .selectFrom('user_usage')
        .selectAll()
        .where('day', '=', day)
        .orderBy('requests', 'desc')
        .orderBy('user_id')
        .execute();
      return rows.map(fromRow);
    },
    async pruneBefore(day) {
      // `YYYY-MM-DD` sorts as the days do.
      const result = await db.deleteFrom('user_usage').where('day', '<', day).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function emptyUsage(userId: string, day: string): UserUsageRecord {
  return { userId, day, requests: 0, tokens: 0, costUsd: 0, minuteStart: 0, minuteRequests: 0 };
}

function fromRow(row: Selectable<UserUsageTable>): UserUsageRecord {
  return {
    userId: row.user_id,
    day: row.day,
    requests: Number(row.requests),
    tokens: Number(row.tokens),
    costUsd: Number(row.cost_usd),
    minuteStart: Number(row.minute_start),
    minuteRequests: Number(row.minute_requests),
  };
}
