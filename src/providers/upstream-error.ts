/**
 * Reading an upstream's error answer: the message out of whichever error shape it uses,
 * and how long it asked us to wait.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiCallError } from '../spec/errors.js';

/** Longest upstream error text quoted in a message. */
const maxQuotedLength = 300;

/**
 * The message of an upstream error body: OpenAI `{error:{message}}`, Anthropic
 * `{type:'error', error:{message}}`, Ollama `{error:"..."}`, FastAPI `{detail}`, or
 * the text itself, shortened.
 */
export function upstreamErrorMessage(statusCode: number, bodyText: string): string {
  return `upstream answered ${statusCode}: ${extractMessage(bodyText)}`;
}

/** The most specific message an error body holds. */
function extractMessage(bodyText: string): string {
  try {
    const parsed = JSON.parse(bodyText) as Record<string, unknown> | null;
    const error = parsed?.error;
    const candidates = [
      typeof error === 'object' && error !== null
        ? (error as Record<string, unknown>).message
        : error,
      parsed?.message,
      parsed?.detail,
    ];
    const message = candidates.find(
      (candidate) => typeof candidate === 'string' && candidate !== '',
    );
    if (typeof message === 'string') return shorten(message);
  } catch {
    // Not JSON: quote the text.
  }
  const text = bodyText.trim();
  return text === '' ? '(no body)' : shorten(text);
}

function shorten(text: string): string {
  return text.length > maxQuotedLength ? `${text.slice(0, maxQuotedLength)}...` : text;
}

/**
 * How long the upstream asked us to wait, in milliseconds: OpenAI's `retry-after-ms`,
 * else `Retry-After` as seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const milliseconds = Number(firstValue(headers['retry-after-ms'])?.trim() || Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = firstValue(headers['retry-after'])?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The error an upstream reported inside a 200 answer or a stream (`{ error: ... }`), as
 * OpenRouter and llama.cpp do; undefined when the payload holds none. A numeric `code`
 * is taken as the HTTP status it stands for.
 */
export function inBandError(providerId: string, payload: unknown): ApiCallError | undefined {
  const error = (payload as { error?: unknown } | null)?.error;
  if (error === undefined || error === null) return undefined;
  const details =
    typeof error === 'object' ? (error as Record<string, unknown>) : { message: error };
  const message = typeof details.message === 'string' ? details.message : JSON.stringify(error);
  const status = details.code;
  const statusCode =
    typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
  return new ApiCallError({
    message: `${providerId}: upstream reported an error: ${shorten(message)}`,
    providerId,
    statusCode,
    code: statusCode === undefined ? 'upstream_error' : undefined,
  });
}

/** A retryable error for an answer that does not have the shape the wire format promises. */
export function malformedResponse(providerId: string, what: string, cause?: unknown): ApiCallError {
  return new ApiCallError({
    message: `${providerId}: upstream answered malformed ${what}`,
    providerId,
    isRetryable: true,
    code: 'upstream_malformed_response',
    cause,
  });
}
