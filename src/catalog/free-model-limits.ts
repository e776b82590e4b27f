/**
 * OpenRouter's limits on free (`:free`) models. They are account-wide, not per model:
 * 20 requests a minute, and 50 a day until the account has bought at least 10 credits
 * in total, 1,000 a day after that (https://openrouter.ai/docs/api-reference/limits).
 * With a key, `GET /api/v1/key` tells which applies: `free_model_daily_requests`
 * (limit, used, remaining) where OpenRouter reports it, else `is_free_tier` (true while
 * the account never bought credits).
 */
import { createHttpClient } from '../providers/http-client.js';

/** OpenRouter's published free-model limits. */
export const openRouterFreeTier = {
  /** Requests a minute, whatever the credits. */
  requestsPerMinute: 20,
  /** Requests a day while fewer than `creditsThreshold` credits were ever bought. */
  requestsPerDayWithoutCredits: 50,
  /** Requests a day once at least `creditsThreshold` credits were bought. */
  requestsPerDayWithCredits: 1000,
  /** Credits (USD) bought in total that raise the daily limit. */
  creditsThreshold: 10,
  /** Where OpenRouter documents them. */
  documentation: 'https://openrouter.ai/docs/api-reference/limits',
} as const;

/** The free-model limits that apply, as far as they are known. */
export interface FreeModelLimits {
  /** Configured provider id whose account they are. */
  providerId: string;
  /** Requests a minute. */
  requestsPerMinute: number;
  /** Requests a day: the account's limit, or the lower published figure when it is not known. */
  requestsPerDay: number;
  /** The daily limit after buying credits, when the account may not have reached it yet. */
  requestsPerDayWithCredits?: number;
  /** Free-model requests made today (UTC), when OpenRouter reports them. */
  usedToday?: number;
  /** Free-model requests left today (UTC), when OpenRouter reports them. */
  remainingToday?: number;
  /** `account`: read from the key's account. `documented`: the published figures. */
  source: 'account' | 'documented';
  /** One sentence a person reads. */
  summary: string;
  /** Why the account's figures could not be read, when they could not. */
  note?: string;
}

/** The published limits, for when no key (or no answer) says which apply. */
export function documentedFreeLimits(providerId: string, note?: string): FreeModelLimits {
  const tier = openRouterFreeTier;
  return {
    providerId,
    requestsPerMinute: tier.requestsPerMinute,
    requestsPerDay: tier.requestsPerDayWithoutCredits,
    requestsPerDayWithCredits: tier.requestsPerDayWithCredits,
    source: 'documented',
    summary: `free models allow ${tier.requestsPerMinute} requests a minute and ${tier.requestsPerDayWithoutCredits} a day (${tier.requestsPerDayWithCredits.toLocaleString('en')} a day once the account has bought at least ${tier.creditsThreshold} credits), shared by all free models`,
    ...(note === undefined ? {} : { note }),
  };
}

/** The limits a `GET /api/v1/key` answer implies. */
export function freeLimitsFromKeyInfo(providerId: string, body: unknown): FreeModelLimits {
  const data = (body as { data?: Record<string, unknown> } | null)?.data;
  if (typeof data !== 'object' || data === null)
    return documentedFreeLimits(providerId, 'OpenRouter reported nothing about the key');
  const tier = openRouterFreeTier;
  const daily = data.free_model_daily_requests as
    | { limit?: unknown; used?: unknown; remaining?: unknown }
    | undefined;
  if (typeof daily?.limit === 'number') {
    const used = typeof daily.used === 'number' ? daily.used : undefined;
    const remaining = typeof daily.remaining === 'number' ? daily.remaining : undefined;
    const counts =
      used === undefined && remaining === undefined
        ? ''
        : ` (${[used === undefined ? '' : `${used} used`, remaining === undefined ? '' : `${remaining} left`].filter(Boolean).join(', ')} today)`;
    return {
      providerId,
      requestsPerMinute: tier.requestsPerMinute,
      requestsPerDay: daily.limit,
      ...(used === undefined ? {} : { usedToday: used }),
      ...(remaining === undefined ? {} : { remainingToday: remaining }),
      source: 'account',
      summary: `free models allow this account ${tier.requestsPerMinute} requests a minute and ${daily.limit.toLocaleString('en')} a day${counts}`,
    };
  }
  if (data.is_free_tier === true) {
    return {
      providerId,
      requestsPerMinute: tier.requestsPerMinute,
      requestsPerDay: tier.requestsPerDayWithoutCredits,
      requestsPerDayWithCredits: tier.requestsPerDayWithCredits,
      source: 'account',
      summary: `this account has not bought credits, so free models allow it ${tier.requestsPerMinute} requests a minute and ${tier.requestsPerDayWithoutCredits} a day (buying ${tier.creditsThreshold} credits raises that to ${tier.requestsPerDayWithCredits.toLocaleString('en')} a day)`,
    };
  }
  if (data.is_free_tier === false) {
    return {
      providerId,
      requestsPerMinute: tier.requestsPerMinute,
      requestsPerDay: tier.requestsPerDayWithoutCredits,
      requestsPerDayWithCredits: tier.requestsPerDayWithCredits,
      source: 'account',
      summary: `this account has bought credits, so free models allow it ${tier.requestsPerMinute} requests a minute and ${tier.requestsPerDayWithCredits.toLocaleString('en')} a day if it bought at least ${tier.creditsThreshold} in total (else ${tier.requestsPerDayWithoutCredits})`,
    };
  }
  return documentedFreeLimits(providerId, 'OpenRouter did not say which tier the key is on');
}

/** Options of {@link fetchFreeLimits}. */
export interface FetchFreeLimitsOptions {
  /** Configured provider id. */
  providerId: string;
  /** OpenRouter's API base URL (…/api/v1). */
  baseUrl: string;
  /** The key whose account is asked about; without one, the published limits are returned. */
  apiKey: string | undefined;
  /** Extra headers configured for the provider. */
  headers?: Record<string, string>;
  /** Longest wait, in milliseconds (default 5,000). */
  timeoutMs?: number;
}

/** The account's free-model limits, or the published ones when they cannot be read. Never throws. */
export async function fetchFreeLimits(options: FetchFreeLimitsOptions): Promise<FreeModelLimits> {
  const { providerId, apiKey } = options;
  if (apiKey === undefined || apiKey === '') {
    return documentedFreeLimits(
      providerId,
      `no ${providerId} key is configured, so the account's own limits are not known`,
    );
  }
  const http = createHttpClient({
    providerId,
    headers: () => ({
      accept: 'application/json',
      ...options.headers,
      authorization: `Bearer ${apiKey}`,
    }),
    timeoutMs: options.timeoutMs ?? 5_000,
  });
  try {
    const body = await http.getJson(`${options.baseUrl.replace(/\/+$/, '')}/key`);
    return freeLimitsFromKeyInfo(providerId, body);
  } catch (error) {
    // The HTTP client's messages never hold the key.
    const reason = error instanceof Error ? error.message : String(error);
    return documentedFreeLimits(providerId, `the key's limits could not be read: ${reason}`);
  } finally {
    await http.close();
  }
}
