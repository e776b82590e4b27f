/**
 * A fake upstream model API: a real HTTP server on 127.0.0.1 speaking one provider's wire
 * format, with scripted deterministic replies, a log of what it received, and faults on
 * demand. Shared by every test and the benchmark, so the hot path stays cheap.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAnthropicWire } from './anthropic-wire.js';
import {
  defaultReply,
  type FakeAnswer,
  type FakeModel,
  type FakeReply,
  type FlavorWire,
  presentedKey,
  type UpstreamFlavor,
} from './fake-wire.js';
import { type FakeRoute, type Fault, FaultQueue } from './faults.js';
import { createOllamaWire } from './ollama-wire.js';
import { createOpenAIWire, createOpenRouterWire } from './openai-wire.js';

const wires: Record<UpstreamFlavor, () => FlavorWire> = {
  openai: createOpenAIWire,
  openrouter: createOpenRouterWire,
  ollama: createOllamaWire,
  anthropic: createAnthropicWire,
};

/** How an exchange ended. */
export type RequestOutcome = 'answered' | 'client-closed' | 'fault-destroyed';

/** One request the fake received. */
export interface RecordedRequest {
  /** The route it hit, undefined for unknown paths. */
  route: FakeRoute | undefined;
  /** HTTP method. */
  method: string;
  /** Path with query string. */
  path: string;
  /** Request headers, lower-cased. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (an empty object for bodiless requests). */
  body: Record<string, unknown>;
  /** The fault applied to it, if any. */
  fault: Fault | undefined;
  /** Resolves when the exchange ends: answered, closed by the client, or destroyed by a fault. */
  settled: Promise<RequestOutcome>;
}

/** Options of {@link startFakeUpstream}. */
export interface FakeUpstreamOptions {
  /** Which API to speak. */
  flavor: UpstreamFlavor;
  /** Models to list (ids or full entries); each flavor has defaults. */
  models?: Array<string | FakeModel>;
  /** Overrides of {@link defaultReply}. */
  reply?: Partial<FakeReply>;
  /** When set, requests must carry this key (bearer, or `x-api-key` for Anthropic) or get a 401. */
  expectApiKey?: string;
  /**
   * Makes the fake a leaky upstream: every error it answers (a wrong key, an injected
   * status) quotes the key the request carried, so tests can prove the gateway never
   * passes an upstream's echo of a key on. (The OpenAI flavors echo a wrong key anyway.)
   */
  echoKeyInErrors?: boolean;
  /** How many recent requests `requests` keeps (default 1000; 0 keeps none, for benchmarks). */
  maxLoggedRequests?: number;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** The flavor it speaks. */
  readonly flavor: UpstreamFlavor;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The base URL a provider is configured with (origin plus `/v1`, `/api/v1`, or nothing). */
  readonly baseUrl: string;
  /** The most recent requests, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests received since start or `reset()`, logged or not. */
  readonly requestCount: number;
  /** TCP connections accepted since start or `reset()` (keep-alive reuse shows as fewer). */
  readonly connectionCount: number;
  /** Requests a fault applied to since start or `reset()`, logged or not. */
  readonly faultCount: number;
  /** Injects a fault; faults apply in the order injected. */
  inject(fault: Fault): void;
  /** Removes all injected faults. */
  clearFaults(): void;
  /** Changes the reply (fields not given keep their value). */
  setReply(reply: Partial<FakeReply>): void;
  /** Replaces the models listed (a catalog that changes between syncs); `reset()` keeps them. */
  setModels(models: Array<string | FakeModel>): void;
  /** Clears faults, the request log and the reply overrides. */
  reset(): void;
  /** Resolves with the next request received. */
  nextRequest(): Promise<RecordedRequest>;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Starts a fake upstream on 127.0.0.1, on a free port. */
export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const wire = wires[options.flavor]();
  const asModels = (list: Array<string | FakeModel>): FakeModel[] =>
    list.map((model) => (typeof model === 'string' ? { id: model } : model));
  let models = asModels(options.models ?? wire.defaultModels);
  const maxLogged = options.maxLoggedRequests ?? 1000;
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const waiting: Array<(request: RecordedRequest) => void> = [];
  let reply: FakeReply = { ...defaultReply, ...options.reply };
  let sequence = 0;
  let connections = 0;
  let faulted = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      sequence += 1;
      handle(request, response, chunks, sequence).catch(() => response.destroy());
    });
  });

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    chunks: Buffer[],
    requestSequence: number,
  ): Promise<void> {
    const [path = '/', queryString = ''] = (request.url ?? '/').split('?', 2);
    const method = request.method ?? 'GET';
    const wireRoute = wire.routes.get(`${method} ${path}`);
    let body: Record<string, unknown> = {};
    let parseError: string | undefined;
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        parseError = 'We could not parse the JSON body of your request.';
      }
    }
    const fault = faults.take(wireRoute?.route);
    if (fault !== undefined) faulted += 1;
    let destroyedByFault = false;
    const settled = settlement(response, () => destroyedByFault);
    const recorded: RecordedRequest = {
      ...{ route: wireRoute?.route, method, path: request.url ?? path },
      ...{ headers: request.headers, body, fault, settled },
    };
    if (maxLogged > 0) {
      requests.push(recorded);
      if (requests.length > maxLogged) requests.shift();
    }
    for (const resolve of waiting.splice(0)) resolve(recorded);

    const destroy = (): void => {
      destroyedByFault = true;
      response.destroy();
    };
    if (fault?.kind === 'refuse') return destroy();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'delay') {
      await sleep(fault.ms);
      if (response.destroyed) return;
    }
    if (fault?.kind === 'status') {
      const message = fault.message ?? `Injected ${fault.status}`;
      const echoed = options.echoKeyInErrors
        ? `${message} (key: ${presentedKey(request.headers) ?? '(none)'})`
        : message;
      const answer = wire.errorAnswer(fault.status, echoed, path);
      if (fault.retryAfter !== undefined)
        answer.headers = { 'retry-after': String(fault.retryAfter) };
      return writeJson(response, answer);
    }
    const answer = ((): FakeAnswer => {
      if (wireRoute === undefined)
        return wire.errorAnswer(404, `Unknown route ${method} ${path}`, path);
      if (parseError !== undefined) return wire.errorAnswer(400, parseError, path);
      const denied =
        options.expectApiKey === undefined
          ? undefined
          : wire.checkAuth(request.headers, options.expectApiKey, options.echoKeyInErrors);
      const query = new URLSearchParams(queryString);
      return (
        denied ??
        wireRoute.answer({
          path,
          query,
          headers: request.headers,
          body,
          reply,
          models,
          sequence: requestSequence,
        })
      );
    })();
    await writeAnswer(response, answer, fault, reply.chunkDelayMs, wire, destroy);
  }

  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    flavor: options.flavor,
    origin,
    baseUrl: origin + wire.basePath,
    requests,
    get requestCount() {
      return sequence;
    },
    get connectionCount() {
      return connections;
    },
    get faultCount() {
      return faulted;
    },
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setReply: (changes) => {
      reply = { ...reply, ...changes };
    },
    setModels: (list) => {
      models = asModels(list);
    },
    reset: () => {
      faults.clear();
      requests.length = 0;
      sequence = 0;
      connections = 0;
      faulted = 0;
      reply = { ...defaultReply, ...options.reply };
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Resolves with how the exchange ended, once the response closes. */
function settlement(
  response: ServerResponse,
  destroyedByFault: () => boolean,
): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    response.once('close', () => {
      if (response.writableFinished) resolve('answered');
      else resolve(destroyedByFault() ? 'fault-destroyed' : 'client-closed');
    });
  });
}

/** Writes an answer, spoilt by a `garbage`, `cut`, `truncate` or `stream-error` fault. */
async function writeAnswer(
  response: ServerResponse,
  answer: FakeAnswer,
  fault: Fault | undefined,
  chunkDelayMs: number,
  wire: FlavorWire,
  destroy: () => void,
): Promise<void> {
  if (answer.kind === 'json') {
    if (fault?.kind === 'garbage') {
      return writeRaw(response, 200, 'application/json', '{"id": "chatcmpl-garbage", "choices": [');
    }
    if (fault?.kind === 'truncate') {
      const text = JSON.stringify(answer.body);
      return writeRaw(
        response,
        200,
        'application/json',
        text.slice(0, Math.floor(text.length / 2)),
      );
    }
    if (fault?.kind !== 'cut' && fault?.kind !== 'stall') return writeJson(response, answer);
    // Promise the whole body, send half, then hang up (or go silent).
    const text = JSON.stringify(answer.body);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.write(text.slice(0, Math.floor(text.length / 2)));
    if (fault.kind === 'stall') return;
    return void setImmediate(destroy);
  }
  let frames = answer.frames;
  if (fault?.kind === 'garbage')
    frames = ['data: {"choices": [{"delta": \n\n', 'data: not json at all\n\n'];
  if (fault?.kind === 'cut' || fault?.kind === 'truncate' || fault?.kind === 'stall')
    frames = frames.slice(0, fault.afterChunks ?? 2);
  if (fault?.kind === 'stream-error') {
    const error = wire.streamErrorFrame(fault.message ?? 'Injected stream error');
    frames = [...frames.slice(0, fault.afterChunks ?? 1), error];
  }
  response.writeHead(200, {
    'content-type': answer.contentType ?? 'text/event-stream',
    'cache-control': 'no-cache',
  });
  if (chunkDelayMs <= 0) {
    // One write: the cheapest way through for benchmarks.
    response.write(frames.join(''));
  } else {
    for (const frame of frames) {
      await sleep(chunkDelayMs);
      if (response.destroyed) return;
      response.write(frame);
    }
  }
  // Let the written bytes leave before the socket is destroyed mid-stream.
  if (fault?.kind === 'cut') return void setImmediate(destroy);
  // A stalled stream stays open and silent until the client gives up.
  if (fault?.kind === 'stall') return;
  response.end();
}

/** Writes a JSON answer. */
function writeJson(response: ServerResponse, answer: FakeAnswer & { kind: 'json' }): void {
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  });
  response.end(text);
}

/** Writes a body as is. */
function writeRaw(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
