/**
 * Faults a fake upstream can be told to commit, and the queue that decides which request
 * suffers which fault.
 */
import { createServer } from 'node:net';

/**
 * The endpoints of a fake, by purpose: chat completions, model listing, version (Ollama),
 * and the key's own details (OpenRouter `GET /api/v1/key`).
 */
export type FakeRoute = 'chat' | 'models' | 'version' | 'key';

/** What goes wrong. */
export type FaultBehaviour =
  /** Destroy the connection without answering. */
  | { kind: 'refuse' }
  /** Answer with an error status and the flavor's error body (`retryAfter` sets `Retry-After`). */
  | { kind: 'status'; status: number; message?: string; retryAfter?: string | number }
  /** Accept the request and never answer, until the client gives up. */
  | { kind: 'hang' }
  /** Send the first `afterChunks` SSE events (default 2), or half a JSON body, then destroy the socket. */
  | { kind: 'cut'; afterChunks?: number }
  /** Send the first `afterChunks` SSE events (default 2), or half a JSON body, then go silent (connection left open). */
  | { kind: 'stall'; afterChunks?: number }
  /** Send the first `afterChunks` SSE events (default 2), or half a JSON body, then end the answer cleanly. */
  | { kind: 'truncate'; afterChunks?: number }
  /** Answer 200 with invalid JSON, or SSE events whose data is not JSON. */
  | { kind: 'garbage' }
  /** Send `afterChunks` SSE events (default 1), then the flavor's in-stream error event, then end cleanly. */
  | { kind: 'stream-error'; afterChunks?: number; message?: string }
  /** Wait `ms` milliseconds, then answer normally. */
  | { kind: 'delay'; ms: number };

/** Where and how often a fault applies. */
export interface FaultScope {
  /** Only requests to this route (default: every route). */
  route?: FakeRoute;
  /** Only the next `times` matching requests (default: every one until cleared). */
  times?: number;
  /**
   * Only every `every`-th matching request (the `every`-th, `2 × every`-th, ... since the
   * fault was injected); the others pass on to the faults behind it. `every: 5` fails 20%
   * of calls, exactly and reproducibly. `times` counts the requests it applied to.
   */
  every?: number;
}

/** A fault with its scope, as given to `fake.inject()`. */
export type Fault = FaultBehaviour & FaultScope;

/** Injected faults in order; the first one that matches a request applies to it. */
export class FaultQueue {
  readonly #faults: Array<{ fault: Fault; remaining: number; seen: number }> = [];

  /** Adds a fault behind those already injected. */
  add(fault: Fault): void {
    for (const field of ['times', 'every'] as const) {
      const value = fault[field];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new RangeError(`fault ${field} must be a positive integer, got ${value}`);
      }
    }
    this.#faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, seen: 0 });
  }

  /** The fault for the next request to `route`, counting it against its `times`. */
  take(route: FakeRoute | undefined): Fault | undefined {
    for (const [index, entry] of this.#faults.entries()) {
      if (entry.fault.route !== undefined && entry.fault.route !== route) continue;
      entry.seen += 1;
      if (entry.fault.every !== undefined && entry.seen % entry.fault.every !== 0) continue;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.#faults.splice(index, 1);
      return entry.fault;
    }
    return undefined;
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults.length = 0;
  }

  /** How many faults are waiting. */
  get size(): number {
    return this.#faults.length;
  }
}

/**
 * An `http://127.0.0.1:<port>` origin where nothing listens: a port the OS just handed
 * out and that was closed again, so connecting is refused.
 */
export async function closedPortOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}
