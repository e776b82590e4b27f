/**
 * A quick, allocation-free check that a chat request body is one `chatRequestSchema`
 * accepts as it is. Every chat request is validated, and zod walks (and copies) the whole
 * body, every message of a long conversation included; this check only reads it. It says
 * true for the bodies clients normally send and false for anything it is not sure of —
 * those go through zod, so a bad body gets exactly the error it always got.
 */

const roles: ReadonlySet<unknown> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object as `JSON.parse` makes it: zod's record check has more cases; leave those to zod. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return (
    isObject(value) &&
    Object.getPrototypeOf(value) === Object.prototype &&
    !Object.hasOwn(value, 'constructor')
  );
}

const absent = (value: unknown): boolean => value === undefined;
const optionalString = (value: unknown): boolean => absent(value) || typeof value === 'string';

/** `z.number()` with its bounds, nullable and optional. */
function optionalNumber(value: unknown, min: number, max: number): boolean {
  if (value === undefined || value === null) return true;
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** `z.number().int().positive()`, nullable and optional. */
function optionalPositiveInteger(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isContentPart(part: unknown): boolean {
  return isObject(part) && typeof part.type === 'string' && part.type.length > 0;
}

function isMessage(message: unknown): boolean {
  if (!isObject(message) || !roles.has(message.role)) return false;
  const { content } = message;
  if (content !== undefined && content !== null && typeof content !== 'string') {
    if (!Array.isArray(content)) return false;
    for (const part of content) if (!isContentPart(part)) return false;
  }
  if (!optionalString(message.name) || !optionalString(message.tool_call_id)) return false;
  const calls = message.tool_calls;
  if (calls !== undefined) {
    if (!Array.isArray(calls)) return false;
    for (const call of calls) if (!isObject(call)) return false;
  }
  return true;
}

function isStop(stop: unknown): boolean {
  if (stop === undefined || stop === null || typeof stop === 'string') return true;
  if (!Array.isArray(stop)) return false;
  for (const item of stop) if (typeof item !== 'string') return false;
  return true;
}

function isTypedObjectList(list: unknown): boolean {
  if (list === undefined) return true;
  if (!Array.isArray(list)) return false;
  for (const item of list) if (!isObject(item) || typeof item.type !== 'string') return false;
  return true;
}

/**
 * True only when `chatRequestSchema` surely accepts `body` and its result equals `body`
 * (zod's loose objects keep unknown keys, so a valid body comes out as it went in). False
 * means "ask zod", not "invalid".
 */
export function chatRequestPrecheck(body: unknown): boolean {
  if (!isObject(body)) return false;
  if (typeof body.model !== 'string' || body.model.length === 0) return false;
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isMessage(message)) return false;
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return false;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!isObject(streamOptions)) return false;
    const usage = streamOptions.include_usage;
    if (usage !== undefined && typeof usage !== 'boolean') return false;
  }
  if (!optionalNumber(body.temperature, 0, 2) || !optionalNumber(body.top_p, 0, 1)) return false;
  if (
    !optionalPositiveInteger(body.max_tokens) ||
    !optionalPositiveInteger(body.max_completion_tokens) ||
    !optionalPositiveInteger(body.n)
  ) {
    return false;
  }
  if (!isStop(body.stop) || !isTypedObjectList(body.tools)) return false;
  const format = body.response_format;
  if (format !== undefined && (!isObject(format) || typeof format.type !== 'string')) return false;
  const { metadata } = body;
  return metadata === undefined || metadata === null || isJsonObject(metadata);
}
