/**
 * Upstream HTTP for every provider, over an undici `Agent` with keep-alive and
 * `dispatcher.request()`: a fraction of the CPU `fetch` and web streams cost per call.
 * Every failure leaves here as an `ApiCallError` whose message names no secret.
 */
import { EventEmitter } from 'node:events';
import { Agent, type Dispatcher } from 'undici';
import { ApiCallError } from '../spec/errors.js';
import { malformedResponse, retryAfterMs, upstreamErrorMessage } from './upstream-error.js';

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Provider id, named in error messages. */
  providerId: string;
  /** Headers for every request, computed per request so keys can rotate; `apiKey` overrides the provider's key. */
  headers: (apiKey?: string) => Record<string, string>;
  /** Whole non-streamed call, or time to the first body byte of a stream, in milliseconds. */
  timeoutMs: number;
  /** Shared connection pool; by default the client owns an `Agent` and closes it. */
  dispatcher?: Dispatcher;
}

/** Per-request options. */
export interface HttpRequestOptions {
  /** Aborts the request and closes its connection. */
  signal?: AbortSignal;
  /** Sent as `x-request-id`. */
  requestId?: string;
  /** Overrides the client's timeout. */
  timeoutMs?: number;
  /** A key to send instead of the provider's own. */
  apiKey?: string;
}

/** JSON and streaming HTTP to one upstream. */
export interface HttpClient {
  /** GET, answered with parsed JSON. */
  getJson(url: string, options?: HttpRequestOptions): Promise<unknown>;
  /** POST JSON, answered with parsed JSON. */
  postJson(url: string, body: unknown, options?: HttpRequestOptions): Promise<unknown>;
  /**
   * POST JSON and stream the answer: resolves once a 2xx status arrived, with the body
   * as raw chunks. Breaking out of the iteration closes the connection.
   */
  postStream(
    url: string,
    body: unknown,
    options?: HttpRequestOptions,
  ): Promise<AsyncIterable<Buffer>>;
  /** Closes the pool, when the client owns it. */
  close(): Promise<void>;
}

/** Header names whose values are secrets that must never appear in an error message. */
const secretHeader = /authorization|api-key|token|secret/i;

/** Creates the HTTP client of one provider. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  const { providerId } = options;

  /** Runs one request; `consume` reads the 2xx body while the deadline still applies. */
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    requestOptions: HttpRequestOptions,
    consume: (response: Dispatcher.ResponseData, call: Call) => Promise<T>,
  ): Promise<T> {
    // A copy: per-request headers must not leak into an object the caller may reuse.
    const headers = { ...options.headers(requestOptions.apiKey) };
    // Secrets are only needed to redact an error message: found when one is made.
    const call = new Call(requestOptions, options.timeoutMs, () => secretsOf(headers));
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (requestOptions.requestId !== undefined) headers['x-request-id'] = requestOptions.requestId;
    try {
      const response = await dispatcher.request({
        ...splitUrl(url),
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: call.signal,
        // A stream that stalls between chunks for as long as the deadline has failed too.
        bodyTimeout: requestOptions.timeoutMs ?? options.timeoutMs,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        const text = await response.body.text();
        throw new ApiCallError({
          message: call.redact(`${providerId}: ${upstreamErrorMessage(response.statusCode, text)}`),
          providerId,
          statusCode: response.statusCode,
          retryAfterMs: retryAfterMs(response.headers),
        });
      }
      return await consume(response, call);
    } catch (error) {
      call.finish();
      throw call.toApiCallError(error, providerId);
    }
  }

  async function readJson(response: Dispatcher.ResponseData, call: Call): Promise<unknown> {
    const text = await response.body.text();
    call.finish();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw malformedResponse(providerId, `JSON (${text.length} bytes)`, error);
    }
  }

  return {
    getJson: (url, requestOptions = {}) => send('GET', url, undefined, requestOptions, readJson),
    postJson: (url, body, requestOptions = {}) => send('POST', url, body, requestOptions, readJson),
    postStream: (url, body, requestOptions = {}) =>
      send('POST', url, body, requestOptions, async (response, call) =>
        streamBody(response, call, providerId),
      ),
    close: async () => {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** The body of a streamed answer, with errors mapped and the deadline lifted at the first byte. */
async function* streamBody(
  response: Dispatcher.ResponseData,
  call: Call,
  providerId: string,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      call.clearDeadline();
      yield chunk;
    }
  } catch (error) {
    throw call.toApiCallError(error, providerId);
  } finally {
    // Also runs when the consumer stops early: destroying the body closes the connection.
    call.finish();
    if (!response.body.destroyed) response.body.destroy();
  }
}

/**
 * The abort signal undici is given. It takes an `EventEmitter` as well as an `AbortSignal`,
 * and an emitter costs a fraction of an `AbortController` (its signal, an `EventTarget`, is
 * among the costliest objects of a request), made for every upstream call.
 */
class CallSignal extends EventEmitter {
  aborted = false;
  reason: unknown;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}

/**
 * One request's cancellation: its deadline timer, the caller's signal, and why it was
 * aborted, so an abort becomes the right error.
 */
class Call {
  readonly signal = new CallSignal();
  #abortedBy: 'caller' | 'deadline' | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #secrets: () => string[];
  readonly #onCallerAbort = (): void => this.#abort('caller');

  constructor(options: HttpRequestOptions, defaultTimeoutMs: number, secrets: () => string[]) {
    this.#secrets = secrets;
    this.#callerSignal = options.signal;
    if (options.signal?.aborted) this.#abort('caller');
    else options.signal?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.#timer = setTimeout(() => this.#abort('deadline'), options.timeoutMs ?? defaultTimeoutMs);
  }

  #abort(by: 'caller' | 'deadline'): void {
    this.#abortedBy ??= by;
    this.signal.abort();
  }

  /** Stops the deadline (a stream's first byte arrived). */
  clearDeadline(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Releases the timer and the listener on the caller's signal. */
  finish(): void {
    this.clearDeadline();
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }

  /** Removes every secret sent with this request from a text. */
  redact(text: string): string {
    return this.#secrets().reduce(
      (result, secret) => result.replaceAll(secret, '[redacted]'),
      text,
    );
  }

  /** Maps anything thrown during the call to an `ApiCallError`. */
  toApiCallError(error: unknown, providerId: string): ApiCallError {
    if (error instanceof ApiCallError) return error;
    const reason = this.#callerSignal?.reason as { name?: unknown } | undefined;
    const errorCode = (error as { code?: unknown } | null)?.code;
    const timedOut =
      this.#abortedBy === 'deadline' ||
      // A deadline set by the caller (AbortSignal.timeout) is a timeout too.
      (this.#abortedBy === 'caller' && reason?.name === 'TimeoutError') ||
      (typeof errorCode === 'string' && /TIMEOUT/.test(errorCode));
    if (timedOut) {
      return new ApiCallError({
        message: `${providerId}: upstream did not answer in time`,
        providerId,
        code: 'upstream_timeout',
        cause: error,
      });
    }
    if (this.#abortedBy === 'caller') {
      // The client went away or gave up: nothing to retry on its behalf.
      return new ApiCallError({
        message: `${providerId}: request aborted by the caller`,
        providerId,
        isRetryable: false,
        code: 'request_aborted',
        cause: error,
      });
    }
    const detail = error instanceof Error ? error.message : String(error);
    const code = typeof errorCode === 'string' ? ` (${errorCode})` : '';
    return new ApiCallError({
      message: this.redact(
        `${providerId}: upstream unreachable or connection lost${code}: ${detail}`,
      ),
      providerId,
      code: 'upstream_unreachable',
      cause: error,
    });
  }
}

/** The secret header values (and bare bearer tokens) of a request. */
function secretsOf(headers: Record<string, string>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!secretHeader.test(name) || value === '') continue;
    secrets.push(value);
    const token = value.replace(/^Bearer\s+/i, '');
    if (token !== value && token !== '') secrets.push(token);
  }
  return secrets;
}

/** URLs already split: a provider calls the same few URLs over and over. */
const splitUrls = new Map<string, { readonly origin: string; readonly path: string }>();

/** Splits a URL into undici's origin and path (parsing each URL once). */
function splitUrl(url: string): { readonly origin: string; readonly path: string } {
  let split = splitUrls.get(url);
  if (split === undefined) {
    const parsed = new URL(url);
    split = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    // Bounded: URLs with ids in them (a model name in the path) must not grow it forever.
    if (splitUrls.size >= 1_000) splitUrls.clear();
    splitUrls.set(url, split);
  }
  return split;
}
