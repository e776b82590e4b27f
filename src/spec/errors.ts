/**
 * Typed errors. Each carries the HTTP status and OpenAI error `type`/`code` the
 * server answers with, so the HTTP layer maps errors without knowing them one by one.
 * Messages never contain secrets.
 */

/** OpenAI's error body: `{ error: { message, type, code, param } }`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Base of every error the gateway answers deliberately. */
export class GatewayError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  /** OpenAI error type, e.g. `invalid_request_error`. */
  readonly type: string;
  /** Machine-readable code, e.g. `model_not_found`. */
  readonly code: string;
  /** The request field at fault, when there is one. */
  readonly param: string | null;

  constructor(
    message: string,
    init: { status: number; type: string; code: string; param?: string | null; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
  }

  /** The OpenAI-shaped JSON body for this error. */
  toJSON(): OpenAIErrorBody {
    return {
      error: { message: this.message, type: this.type, code: this.code, param: this.param },
    };
  }
}

/** The client sent something we cannot serve (400). */
export class InvalidRequestError extends GatewayError {
  constructor(message: string, param: string | null = null, code = 'invalid_request') {
    super(message, { status: 400, type: 'invalid_request_error', code, param });
  }
}

/** The model named by the client does not exist (404). */
export class ModelNotFoundError extends GatewayError {
  constructor(message: string) {
    super(message, {
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    });
  }
}

/** Missing or wrong credentials for the gateway itself (401). */
export class AuthenticationError extends GatewayError {
  constructor(message: string) {
    super(message, { status: 401, type: 'authentication_error', code: 'invalid_api_key' });
  }
}

/** A user reached one of their rate limits or daily budgets (429, `Retry-After` until it resets). */
export class UsageLimitError extends GatewayError {
  /** How long until the limit resets, in milliseconds. */
  readonly retryAfterMs: number;

  constructor(message: string, init: { code: string; retryAfterMs: number }) {
    super(message, { status: 429, type: 'rate_limit_error', code: init.code });
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A call to an upstream provider failed. `isRetryable` tells fallback whether to move on. */
export class ApiCallError extends GatewayError {
  /** Configured provider id. */
  readonly providerId: string;
  /** Upstream HTTP status, absent for connection failures and timeouts. */
  readonly statusCode: number | undefined;
  /** True for 408/409/429/5xx, connection errors, timeouts and malformed responses. */
  readonly isRetryable: boolean;
  /** How long the upstream asked us to wait (from `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    message: string;
    providerId: string;
    statusCode?: number;
    isRetryable?: boolean;
    retryAfterMs?: number;
    code?: string;
    cause?: unknown;
  }) {
    const { status, code } = mapUpstreamStatus(init.statusCode, init.code);
    super(init.message, { status, type: 'upstream_error', code, cause: init.cause });
    this.providerId = init.providerId;
    this.statusCode = init.statusCode;
    this.isRetryable = init.isRetryable ?? isRetryableStatus(init.statusCode);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** True for statuses worth trying again or elsewhere: 408, 409, 429 and 5xx (and no status at all). */
export function isRetryableStatus(statusCode: number | undefined): boolean {
  if (statusCode === undefined) return true;
  return statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/** Chooses what the gateway answers for an upstream failure. */
function mapUpstreamStatus(
  statusCode: number | undefined,
  code: string | undefined,
): { status: number; code: string } {
  if (statusCode === undefined) {
    if (code === 'upstream_timeout') return { status: 504, code };
    return { status: 502, code: code ?? 'upstream_unreachable' };
  }
  if (statusCode === 429) return { status: 429, code: code ?? 'upstream_rate_limited' };
  if (statusCode === 401 || statusCode === 403)
    return { status: 502, code: code ?? 'upstream_auth_failed' };
  if (statusCode === 402) return { status: 402, code: code ?? 'upstream_out_of_credit' };
  if (statusCode === 404) return { status: 404, code: code ?? 'model_not_found' };
  if (statusCode === 408) return { status: 504, code: code ?? 'upstream_timeout' };
  if (statusCode >= 400 && statusCode < 500)
    return { status: statusCode, code: code ?? 'upstream_rejected' };
  return { status: 502, code: code ?? 'upstream_error' };
}
