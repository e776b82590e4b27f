import { estimateCost } from '../benchmarking/estimate-cost.js';
import { type ModelPricing, type Usage, UsageLimitError } from '../spec/index.js';
import {
  databaseUnavailableReason,
  type UsageLimits,
  type UserLimitOverrides,
  type UserRecord,
  type UserUsageRecord,
  type UserUsageStore,
} from '../storage/index.js';

const minuteMs = 60_000;
const dayMs = 86_400_000;
const limitNames = [
  'requestsPerMinute',
  'requestsPerDay',
  'tokensPerDay',
  'costPerDayUsd',
] as const;

/** Adds an answer's tokens and cost to the user's day; called once the answer is known. */
export type UsageCharge = (usage: Usage, model: string) => void;

/** A user's usage today against their limits, as `/api/me/usage` and `/api/usage` show it. */
export interface UsageReport {
  userId: string;
  name: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Counted so far today (and this minute). */
  used: { requests: number; tokens: number; costUsd: number; requestsThisMinute: number };
  /** The limits in force: the user's own over config.yaml's `limits.users` (missing: none). */
  limits: UsageLimits;
  /** When the daily counters start again (next 00:00 UTC), ISO 8601. */
  resetsAt: string;
}

/** The user a request is counted for: a user caller's id, name and own limits. */
export interface UsageCaller {
  owner: string;
  name: string;
  limits?: UserLimitOverrides;
}

/** Nothing counted yet. */
function emptyUsage(userId: string, day: string): UserUsageRecord {
  return { userId, day, requests: 0, tokens: 0, costUsd: 0, minuteStart: 0, minuteRequests: 0 };
}

/** UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** `3 h 12 min`, `45 s`: how long until a limit resets, for messages. */
function duration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Per-user rate limits and budgets of chat requests. Requests are counted before they
 * are served, by one atomic statement on the user's row of the day (so replicas sharing
 * PostgreSQL never admit more than a request limit, and refused requests are not counted);
 * tokens and cost are added after the answer, so a budget stops the NEXT request. Within
 * one process a request waits for the previous answer's charge; across replicas a token or
 * cost budget may be overshot by the requests in flight when it was reached. While the
 * database is unavailable (locked, full, unreachable) requests are served uncounted, as
 * chat completions are served without the request log then: limits protect spend, and a
 * database outage of seconds must not take the players' game down with it.
 */
export function createUserUsageLimits(deps: {
  store: UserUsageStore;
  /** config.yaml's `limits.users`. */
  defaults: UsageLimits;
  /** Catalog prices, for answers whose upstream reports no cost. */
  pricing?: (model: string) => ModelPricing | undefined;
  /** Told when a charge could not be written (the answer was already given). */
  onChargeError?: (error: unknown) => void;
  /** Told when a request is served uncounted because the database is unavailable. */
  onUncounted?: (error: unknown) => void;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  /** Charges still being written, per user: the user's next request waits for them. */
  const pending = new Map<string, Promise<void>>();

  /** The limits in force for a user: their own over the defaults (null lifts one). */
  function limitsFor(overrides: UserLimitOverrides | undefined): UsageLimits {
    const limits: UsageLimits = {};
    for (const name of limitNames) {
      const value = overrides && name in overrides ? overrides[name] : deps.defaults[name];
      if (value !== undefined && value !== null) limits[name] = value;
    }
    return limits;
  }

  /** The 429 for the limit `usage` reached, with the time until it resets. */
  function refusal(usage: UserUsageRecord, limits: UsageLimits, at: number): UsageLimitError {
    const untilTomorrow = dayMs - (at % dayMs);
    const tomorrow = `it resets at 00:00 UTC, in ${duration(untilTomorrow)}. An administrator can raise it (\`tta-models users limits\`).`;
    if (limits.requestsPerDay !== undefined && usage.requests >= limits.requestsPerDay) {
      return new UsageLimitError(
        `You have used all ${limits.requestsPerDay} requests of your daily limit; ${tomorrow}`,
        { code: 'requests_per_day_exceeded', retryAfterMs: untilTomorrow },
      );
    }
    if (limits.tokensPerDay !== undefined && usage.tokens >= limits.tokensPerDay) {
      return new UsageLimitError(
        `You have used ${usage.tokens} tokens of your daily budget of ${limits.tokensPerDay}; ${tomorrow}`,
        { code: 'tokens_per_day_exceeded', retryAfterMs: untilTomorrow },
      );
    }
    if (limits.costPerDayUsd !== undefined && usage.costUsd >= limits.costPerDayUsd) {
      return new UsageLimitError(
        `You have spent $${usage.costUsd.toFixed(4)} of your daily budget of $${limits.costPerDayUsd}; ${tomorrow}`,
        { code: 'cost_per_day_exceeded', retryAfterMs: untilTomorrow },
      );
    }
    const untilNextMinute = minuteMs - (at % minuteMs);
    return new UsageLimitError(
      `You have sent ${limits.requestsPerMinute ?? 0} requests this minute, your limit per minute; wait ${duration(untilNextMinute)} and send it again.`,
      { code: 'requests_per_minute_exceeded', retryAfterMs: untilNextMinute },
    );
  }

  function charge(userId: string, day: string, usage: Usage, model: string): void {
    const tokens = usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens;
    const cost = estimateCost(usage, deps.pricing?.(model)) ?? 0;
    const previous = pending.get(userId);
    const written = deps.store
      // A garbled usage from an upstream counts as nothing rather than poisoning the day.
      .charge(
        { userId, day },
        Number.isFinite(tokens) ? tokens : 0,
        Number.isFinite(cost) ? cost : 0,
      )
      .catch((error: unknown) => deps.onChargeError?.(error));
    const settled = previous ? Promise.all([previous, written]).then(() => {}) : written;
    pending.set(userId, settled);
    void settled.then(() => {
      if (pending.get(userId) === settled) pending.delete(userId);
    });
  }

  return {
    limitsFor,

    /**
     * Counts a user's chat request, or throws `UsageLimitError` (429) naming the limit it
     * reached. Returns the charge to call with the answer's usage.
     */
    async admit(caller: UsageCaller): Promise<UsageCharge> {
      const waiting = pending.get(caller.owner);
      if (waiting) await waiting;
      const at = now();
      const day = utcDay(at);
      const limits = limitsFor(caller.limits);
      const slot = { userId: caller.owner, day, minuteStart: at - (at % minuteMs) };
      // A limit of 0 refuses everything; the store's statement needs positive limits.
      if (limitNames.some((name) => limits[name] === 0)) {
        throw refusal(emptyUsage(caller.owner, day), limits, at);
      }
      const answer: UsageCharge = (usage, model) => charge(caller.owner, day, usage, model);
      let outcome: Awaited<ReturnType<UserUsageStore['admit']>>;
      try {
        outcome = await deps.store.admit(slot, limits);
      } catch (error) {
        if (databaseUnavailableReason(error) === undefined) throw error;
        deps.onUncounted?.(error);
        return answer;
      }
      if (!outcome.admitted) throw refusal(outcome.usage, limits, at);
      return answer;
    },

    /** A user's usage today against the limits in force. */
    async report(user: Pick<UserRecord, 'id' | 'name' | 'limits'>): Promise<UsageReport> {
      await pending.get(user.id);
      const at = now();
      const usage = await deps.store.get(user.id, utcDay(at));
      return reportOf(user, usage, at);
    },

    /** Every listed user's usage today, busiest first. */
    async reportAll(
      users: ReadonlyArray<Pick<UserRecord, 'id' | 'name' | 'limits'>>,
    ): Promise<UsageReport[]> {
      const at = now();
      const counted = new Map(
        (await deps.store.list(utcDay(at))).map((usage) => [usage.userId, usage]),
      );
      return users
        .map((user) => reportOf(user, counted.get(user.id) ?? emptyUsage(user.id, utcDay(at)), at))
        .sort((left, right) => right.used.requests - left.used.requests);
    },
  };

  function reportOf(
    user: Pick<UserRecord, 'id' | 'name' | 'limits'>,
    usage: UserUsageRecord,
    at: number,
  ): UsageReport {
    return {
      userId: user.id,
      name: user.name,
      day: usage.day,
      used: {
        requests: usage.requests,
        tokens: usage.tokens,
        costUsd: usage.costUsd,
        requestsThisMinute: usage.minuteStart === at - (at % minuteMs) ? usage.minuteRequests : 0,
      },
      limits: limitsFor(user.limits),
      resetsAt: new Date(at - (at % dayMs) + dayMs).toISOString(),
    };
  }
}

/** Per-user limits of a gateway. */
export type UserUsageLimits = ReturnType<typeof createUserUsageLimits>;
