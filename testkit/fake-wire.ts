/**
 * What every wire-format module of the fake upstream shares: the scripted reply, the
 * model list, and the answer shapes the server turns into bytes. Wire modules are pure
 * functions from a parsed request to an answer; transport and faults live in the server.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeRoute } from './faults.js';

/** The upstream API a fake speaks. */
export type UpstreamFlavor = 'openai' | 'openrouter' | 'ollama' | 'anthropic';

/** A tool call the fake model makes. */
export interface FakeToolCall {
  /** Call id (`call_...` for OpenAI, `toolu_...` for Anthropic). */
  id: string;
  /** Function name. */
  name: string;
  /** JSON-encoded arguments. */
  arguments: string;
}

/** What the fake model answers. Every field has a default; see {@link defaultReply}. */
export interface FakeReply {
  /** Reply text, or a function of the parsed request body. */
  text: string | ((body: Record<string, unknown>) => string);
  /** How many content chunks the text is streamed in. */
  chunks: number;
  /** Pause before each streamed event, in milliseconds (0: the whole stream in one write). */
  chunkDelayMs: number;
  /** Reported prompt tokens. */
  promptTokens: number;
  /** Reported completion tokens. */
  completionTokens: number;
  /**
   * Why generation stopped, in OpenAI's words (`stop`, `length`, `tool_calls`); the
   * Anthropic fake translates them and passes its own (`stop_sequence`, ...) through.
   */
  finishReason: string;
  /** Tool calls to make after the text. */
  toolCalls: FakeToolCall[];
  /** `usage.cost` in USD, reported by the OpenRouter fake only. */
  cost: number;
  /** The `model` answers report (default: the model asked for), as a server that swapped models would. */
  model?: string;
  /** What the OpenRouter fake's `GET /api/v1/key` reports. */
  keyInfo: FakeKeyInfo;
}

/** The details of the calling key, as OpenRouter's `GET /api/v1/key` reports them. */
export interface FakeKeyInfo {
  /** Credit limit in USD, null for none. */
  limit: number | null;
  /** Credits used, USD (`limit_remaining` is `limit - usage`). */
  usage: number;
  /** Whether the account never bought credits. */
  isFreeTier: boolean;
  /** Requests allowed per interval. */
  rateLimit: { requests: number; interval: string };
}

/** The reply a fake gives unless told otherwise. */
export const defaultReply: FakeReply = {
  text: 'Hello from the fake upstream.',
  chunks: 3,
  chunkDelayMs: 0,
  promptTokens: 10,
  completionTokens: 6,
  finishReason: 'stop',
  toolCalls: [],
  cost: 0.00002,
  keyInfo: {
    limit: null,
    usage: 0.25,
    isFreeTier: false,
    rateLimit: { requests: 200, interval: '10s' },
  },
};

/** A model the fake lists. */
export interface FakeModel {
  /** Upstream model id. */
  id: string;
  /** Display name (OpenRouter `name`, Anthropic `display_name`). */
  name?: string;
  /** Context window (OpenRouter `context_length`). */
  contextLength?: number;
  /** Publisher (OpenAI `owned_by`). */
  ownedBy?: string;
  /** Manifest digest the Ollama fake lists (default: one derived from the model's position). */
  digest?: string;
}

/** A request as a wire module sees it. */
export interface WireRequest {
  /** Path without the query string. */
  path: string;
  /** Parsed query string. */
  query: URLSearchParams;
  /** Request headers, lower-cased. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (an empty object for bodiless requests). */
  body: Record<string, unknown>;
  /** The reply in force. */
  reply: FakeReply;
  /** The models the fake lists. */
  models: FakeModel[];
  /** Sequence number of this request, for deterministic ids. */
  sequence: number;
}

/** An answer the server writes: a JSON document or a list of SSE frames. */
export type FakeAnswer =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: 'sse';
      frames: string[];
      /** Default `text/event-stream` (Ollama streams `application/x-ndjson`). */
      contentType?: string;
    };

/** One route of a flavor. */
export interface WireRoute {
  /** The route name faults select. */
  route: FakeRoute;
  /** Builds the answer. */
  answer(request: WireRequest): FakeAnswer;
}

/** Everything the server needs to know about one flavor. */
export interface FlavorWire {
  /** Path prefix providers put in their base URL (`/v1`, `/api/v1`, or empty). */
  basePath: string;
  /** Routes keyed by `METHOD /path`. */
  routes: Map<string, WireRoute>;
  /** Default models listed. */
  defaultModels: FakeModel[];
  /**
   * An error answer when the credentials are wrong, else undefined. With `echoKey` the
   * error quotes the key it received (OpenAI's does anyway), as a leaky upstream would.
   */
  checkAuth(
    headers: IncomingHttpHeaders,
    expectedKey: string,
    echoKey?: boolean,
  ): FakeAnswer | undefined;
  /** The flavor's error document for a status on a path. */
  errorAnswer(status: number, message: string, path: string): FakeAnswer & { kind: 'json' };
  /** The flavor's in-stream error event. */
  streamErrorFrame(message: string): string;
}

/** The key a request presented: the bearer token, else `x-api-key`; undefined when none. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization !== '')
    return authorization.replace(/^Bearer\s+/i, '');
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/** Creation time reported for everything, so answers are deterministic. */
export const fakeCreated = 1_700_000_000;

/** Encodes one SSE frame, with an optional event name. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/** The reply text for a request. */
export function replyText(request: WireRequest): string {
  const { text } = request.reply;
  return typeof text === 'function' ? text(request.body) : text;
}

/** Splits text into at most `count` pieces of near-equal length (none when empty). */
export function splitText(text: string, count: number): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / Math.max(1, count));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size)
    pieces.push(text.slice(start, start + size));
  return pieces;
}

/** The model id named in a request body, or the first listed model. */
export function requestedModel(request: WireRequest): string {
  const model = request.body.model;
  return typeof model === 'string' ? model : (request.models[0]?.id ?? 'fake-model');
}
