import type { LoggedRequest, RequestLogEntry } from './request-log-types.js';
import type { RequestsTable } from './schema.js';

/** A finite number, or null (NaN and infinities would bind as NULL or fail). */
function finiteOrNull(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** A whole finite number, or null. */
function integerOrNull(value: number | null | undefined): number | null {
  const number = finiteOrNull(value);
  return number === null ? null : Math.round(number);
}

/** A string, or null. */
function textOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * The row for an entry, with every value coerced to a type the column accepts,
 * so one malformed entry cannot make a whole batch fail again and again.
 */
export function toRequestRow(entry: RequestLogEntry, now: number): RequestsTable {
  return {
    id: String(entry.id),
    created_at: integerOrNull(entry.createdAt) ?? Math.round(now),
    provider_id: textOrNull(entry.providerId),
    model: textOrNull(entry.model),
    requested_model: String(entry.requestedModel ?? ''),
    task: textOrNull(entry.task),
    stream: entry.stream ? 1 : 0,
    status: integerOrNull(entry.status) ?? 0,
    error_code: textOrNull(entry.errorCode),
    latency_ms: finiteOrNull(entry.latencyMs) ?? 0,
    first_token_ms: finiteOrNull(entry.firstTokenMs),
    prompt_tokens: integerOrNull(entry.promptTokens),
    completion_tokens: integerOrNull(entry.completionTokens),
    cost_usd: finiteOrNull(entry.costUsd),
    client: textOrNull(entry.client),
  };
}

/**
 * The record for a row read back. `Number()` because PostgreSQL drivers return
 * `bigint` columns as strings.
 */
export function toLoggedRequest(row: RequestsTable): LoggedRequest {
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    providerId: row.provider_id,
    model: row.model,
    requestedModel: row.requested_model,
    task: row.task,
    stream: Number(row.stream) === 1,
    status: Number(row.status),
    errorCode: row.error_code,
    latencyMs: Number(row.latency_ms),
    firstTokenMs: finiteOrNull(row.first_token_ms),
    promptTokens: finiteOrNull(row.prompt_tokens),
    completionTokens: finiteOrNull(row.completion_tokens),
    costUsd: finiteOrNull(row.cost_usd),
    client: row.client,
  };
}
