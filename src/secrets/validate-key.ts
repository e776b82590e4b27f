/**
 * Asks a provider whether an API key works, before it is saved and when it starts failing:
 * OpenRouter `GET /key` (credit limit, usage, free tier), OpenAI-compatible `GET /models`,
 * Anthropic `GET /models` with `x-api-key`. The answer says what is wrong and what to do,
 * and never holds the key.
 */
import type { Dispatcher } from 'undici';
import { anthropicBaseUrl } from '../providers/anthropic/anthropic-provider.js';
import { createHttpClient } from '../providers/http-client.js';
import { ollamaBaseUrl } from '../providers/ollama/ollama-provider.js';
import { openRouterBaseUrl } from '../providers/openrouter/openrouter-provider.js';
import { ApiCallError, InvalidRequestError } from '../spec/errors.js';
import type { ProviderType } from '../spec/provider.js';
import type { ApiKeyStatus } from '../storage/index.js';
import { scrubSecrets } from './scrub-secrets.js';

/** What a check can conclude (`unchecked` is only ever the absence of one). */
export type KeyCheckStatus = Exclude<ApiKeyStatus, 'unchecked'>;

/** What OpenRouter reports about a key (`GET /api/v1/key`); amounts in USD credits. */
export interface OpenRouterKeyDetails {
  /** Credit limit of the key, null for none. */
  limit: number | null;
  /** Credits used so far. */
  usage: number | null;
  /** Credits left under the limit, null when there is no limit. */
  limitRemaining: number | null;
  /** True for a key of an account that never bought credits (lower rate limits). */
  isFreeTier: boolean | null;
  /** The request rate limit OpenRouter reports, when it does. */
  rateLimit?: { requests: number; interval: string };
}

/** The outcome of a key check. */
export interface KeyValidation {
  /** What the provider said about the key. */
  status: KeyCheckStatus;
  /** Which provider said what, and what to do; never holds the key. */
  message: string;
  /** Where to make a new key or add credits, when the provider has such a page. */
  renewUrl?: string;
  /** OpenRouter's limit and usage figures, or how many models an OpenAI-style API listed. */
  details?: OpenRouterKeyDetails | { models: number };
  /** How long the provider asked us to wait, milliseconds (rate limited only). */
  retryAfterMs?: number;
  /** The provider's HTTP status, when it answered. */
  httpStatus?: number;
}

/** Options of {@link validateKey}. */
export interface ValidateKeyOptions {
  /** Which API to speak. */
  providerType: ProviderType;
  /** The provider's base URL; defaults as the providers do (required for `openai-compatible`). */
  baseUrl?: string;
  /** The key to check. */
  secret: string;
  /** Configured provider id, for messages (default: the provider's name). */
  providerId?: string;
  /** Extra headers, as configured for the provider. */
  headers?: Record<string, string>;
  /** Aborts the check. */
  signal?: AbortSignal;
  /** How long to wait for the provider, milliseconds (default 10,000). */
  timeoutMs?: number;
  /** Connection pool to use (by default one is opened and closed for the check). */
  dispatcher?: Dispatcher;
}

/** Who to send the user to. */
interface Guidance {
  /** Name in messages. */
  name: string;
  /** Page where keys are made. */
  keysUrl?: string;
  /** Page where credits are bought. */
  creditsUrl?: string;
}

const openRouterGuidance: Guidance = {
  name: 'OpenRouter',
  keysUrl: 'https://openrouter.ai/settings/keys',
  creditsUrl: 'https://openrouter.ai/settings/credits',
};
const anthropicGuidance: Guidance = {
  name: 'Anthropic',
  keysUrl: 'https://console.anthropic.com/settings/keys',
  creditsUrl: 'https://console.anthropic.com/settings/billing',
};
const openAIGuidance: Guidance = {
  name: 'OpenAI',
  keysUrl: 'https://platform.openai.com/api-keys',
  creditsUrl: 'https://platform.openai.com/settings/organization/billing',
};

/** How to check a key of each provider type. */
interface Check {
  guidance: Guidance;
  url: string;
  headers: Record<string, string>;
  read: (body: unknown, guidance: Guidance) => KeyValidation;
}

/** Checks a key against its provider. Never throws for the provider's answer; throws for `embedded`. */
export async function validateKey(options: ValidateKeyOptions): Promise<KeyValidation> {
  const check = planCheck(options);
  const providerId = options.providerId ?? check.guidance.name;
  const http = createHttpClient({
    providerId,
    headers: () => ({ ...options.headers, ...check.headers }),
    timeoutMs: options.timeoutMs ?? 10_000,
    dispatcher: options.dispatcher,
  });
  try {
    const body = await http.getJson(check.url, { signal: options.signal });
    return safe(check.read(body, check.guidance), options.secret);
  } catch (error) {
    if (!(error instanceof ApiCallError)) throw error;
    return safe(fromFailure(error, providerId, check, options.timeoutMs ?? 10_000), options.secret);
  } finally {
    await http.close();
  }
}

/**
 * What a failed upstream call in live traffic says about the key it used: the same
 * statuses and renewal guidance as {@link validateKey}, without a new request.
 */
export function judgeKeyFailure(
  options: Omit<ValidateKeyOptions, 'signal' | 'dispatcher'>,
  error: ApiCallError,
): KeyValidation {
  const check = planCheck(options);
  const providerId = options.providerId ?? check.guidance.name;
  return safe(fromFailure(error, providerId, check, options.timeoutMs ?? 10_000), options.secret);
}

function planCheck(options: Omit<ValidateKeyOptions, 'signal' | 'dispatcher'>): Check {
  const bearer = { authorization: `Bearer ${options.secret}` };
  const base = (fallback: string | undefined): string => {
    const url = options.baseUrl ?? fallback;
    if (url === undefined) {
      throw new InvalidRequestError(
        `a key for an ${options.providerType} provider is checked against its baseUrl, and none was given`,
        'baseUrl',
      );
    }
    return url.replace(/\/+$/, '');
  };
  switch (options.providerType) {
    case 'openrouter':
      return {
        guidance: openRouterGuidance,
        url: `${base(openRouterBaseUrl)}/key`,
        headers: bearer,
        read: readOpenRouterKey,
      };
    case 'anthropic':
      return {
        guidance: anthropicGuidance,
        url: `${base(anthropicBaseUrl)}/models?limit=1`,
        headers: { 'anthropic-version': '2023-06-01', 'x-api-key': options.secret },
        read: readModelList,
      };
    case 'ollama': {
      const root = base(ollamaBaseUrl).replace(/\/v1$/, '');
      return {
        guidance: guidanceForHost(root),
        url: `${root}/api/tags`,
        headers: bearer,
        read: readModelList,
      };
    }
    case 'openai-compatible': {
      const url = base(undefined);
      return {
        guidance: guidanceForHost(url),
        url: `${url}/models`,
        headers: bearer,
        read: readModelList,
      };
    }
    case 'embedded':
      throw new InvalidRequestError(
        'embedded models run inside tta-models and take no API key',
        'providerType',
      );
  }
}

/** OpenAI for api.openai.com, otherwise the host named, with no pages to point to. */
function guidanceForHost(url: string): Guidance {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    host = url;
  }
  return host === 'api.openai.com' ? openAIGuidance : { name: host };
}

function readOpenRouterKey(body: unknown, guidance: Guidance): KeyValidation {
  const data = (body as { data?: Record<string, unknown> } | null)?.data;
  if (typeof data !== 'object' || data === null) {
    return {
      status: 'valid',
      message: 'OpenRouter accepted the key (it reported no usage figures)',
    };
  }
  const details: OpenRouterKeyDetails = {
    limit: numberOrNull(data.limit),
    usage: numberOrNull(data.usage),
    limitRemaining: numberOrNull(data.limit_remaining),
    isFreeTier: typeof data.is_free_tier === 'boolean' ? data.is_free_tier : null,
  };
  const rateLimit = data.rate_limit as { requests?: unknown; interval?: unknown } | undefined;
  if (typeof rateLimit?.requests === 'number' && typeof rateLimit.interval === 'string')
    details.rateLimit = { requests: rateLimit.requests, interval: rateLimit.interval };

  const used = details.usage === null ? undefined : dollars(details.usage);
  if (details.limit !== null && details.limitRemaining !== null && details.limitRemaining <= 0) {
    return {
      status: 'out_of_credit',
      message: `the OpenRouter key has used up its credit limit (${used ?? 'all'} of ${dollars(details.limit)}); raise the key's limit at ${guidance.keysUrl} or add credits at ${guidance.creditsUrl}, then check the key again`,
      renewUrl: guidance.creditsUrl,
      details,
    };
  }
  const parts = ['OpenRouter accepted the key'];
  if (details.isFreeTier) parts.push('free tier: free models only, with low rate limits');
  if (details.limit === null) {
    if (used !== undefined) parts.push(`${used} used, no credit limit`);
  } else {
    const remaining =
      details.limitRemaining === null ? '' : `, ${dollars(details.limitRemaining)} left`;
    parts.push(`${used ?? '$0.00'} of ${dollars(details.limit)} limit used${remaining}`);
  }
  return { status: 'valid', message: parts.join('; '), details };
}

function readModelList(body: unknown, guidance: Guidance): KeyValidation {
  const listed = (body as { data?: unknown; models?: unknown } | null) ?? {};
  const models = Array.isArray(listed.data)
    ? listed.data.length
    : Array.isArray(listed.models)
      ? listed.models.length
      : undefined;
  return {
    status: 'valid',
    message: `${guidance.name} accepted the key`,
    ...(models === undefined ? {} : { details: { models } }),
  };
}

/** The check's conclusion from a failed call. */
function fromFailure(
  error: ApiCallError,
  providerId: string,
  check: Check,
  timeoutMs: number,
): KeyValidation {
  const { guidance } = check;
  const statusCode = error.statusCode;
  const reason = reasonOf(error.message, providerId);
  const origin = originOf(check.url);
  if (statusCode === undefined) {
    const what =
      error.code === 'upstream_timeout'
        ? `did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
        : error.code === 'upstream_malformed_response'
          ? 'answered with something that is not JSON; is the baseUrl right?'
          : error.code === 'request_aborted'
            ? 'was not asked: the check was cancelled'
            : `could not be reached (${reason})`;
    return {
      status: 'unreachable',
      message: `${guidance.name} at ${origin} ${what}; the key was not checked, try again later`,
    };
  }
  const said = `${statusCode}: ${reason}`;
  const outOfCredit =
    statusCode === 402 ||
    (statusCode === 400 && /credit balance/i.test(reason)) ||
    (statusCode === 429 && /insufficient_quota|exceeded your current quota|billing/i.test(reason));
  if (outOfCredit) {
    return {
      status: 'out_of_credit',
      message: `${guidance.name} says the account has no credit left (${said}); ${guidance.creditsUrl ? `add credits at ${guidance.creditsUrl}` : 'add credits with the provider'}, then check the key again`,
      ...(guidance.creditsUrl === undefined ? {} : { renewUrl: guidance.creditsUrl }),
      httpStatus: statusCode,
    };
  }
  if (statusCode === 401 || statusCode === 403) {
    return {
      status: 'invalid',
      message: `${guidance.name} rejected the key (${said}); ${guidance.keysUrl ? `make a new key at ${guidance.keysUrl}` : `get a working key from whoever runs ${origin}`} and add it again`,
      ...(guidance.keysUrl === undefined ? {} : { renewUrl: guidance.keysUrl }),
      httpStatus: statusCode,
    };
  }
  if (statusCode === 429) {
    const wait =
      error.retryAfterMs === undefined ? 'a little' : `${Math.ceil(error.retryAfterMs / 1000)} s`;
    return {
      status: 'rate_limited',
      message: `${guidance.name} is rate limiting this key (${said}); the key may well work, check it again in ${wait}`,
      httpStatus: statusCode,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  if (statusCode === 404) {
    return {
      status: 'unreachable',
      message: `${guidance.name} at ${origin} has no ${new URL(check.url).pathname} (${said}); check the provider's baseUrl`,
      httpStatus: statusCode,
    };
  }
  if (statusCode >= 500 || statusCode === 408) {
    return {
      status: 'unreachable',
      message: `${guidance.name} failed to answer (${said}); the key was not checked, try again later`,
      httpStatus: statusCode,
    };
  }
  return {
    status: 'invalid',
    message: `${guidance.name} refused the check (${said}); ${guidance.keysUrl ? `check the key at ${guidance.keysUrl}` : 'check the key'} and add it again`,
    ...(guidance.keysUrl === undefined ? {} : { renewUrl: guidance.keysUrl }),
    httpStatus: statusCode,
  };
}

/** What the provider said, without the gateway's prefixes. */
function reasonOf(message: string, providerId: string): string {
  const withoutProvider = message.startsWith(`${providerId}: `)
    ? message.slice(providerId.length + 2)
    : message;
  return withoutProvider.replace(/^upstream answered \d+: /, '');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The validation with every text scrubbed of the secret and of anything key-shaped. */
function safe(validation: KeyValidation, secret: string): KeyValidation {
  return { ...validation, message: scrubSecrets(validation.message, [secret]) };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function dollars(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
