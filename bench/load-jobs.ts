/**
 * What the benchmark asks of its load-generator child and what comes back, over IPC.
 * Types only: the orchestrator and the child both import them.
 */
import type { Summary } from './percentiles.js';

/** Where a job sends its requests. */
export interface JobTarget {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Request path, e.g. `/v1/chat/completions`. */
  path: string;
  /** The JSON body of a non-streamed request; streamed ones add `stream` and `stream_options`. */
  body: Record<string, unknown>;
  /** Headers every request carries besides `content-type` (a bearer key, a task). */
  headers?: Record<string, string>;
  /** A session header per request, its value one of `count` ids (`<prefix><n>`). */
  sessions?: SessionRotation;
}

/** How requests spread over sessions: one header, `count` session ids. */
export interface SessionRotation {
  /** Header name, e.g. `x-tta-session`. */
  header: string;
  /** Session ids are `<prefix>0` to `<prefix><count - 1>`. */
  prefix: string;
  /** Live sessions the requests spread over (1: every request in the same session). */
  count: number;
}

/** A fixed arrival rate, scheduled by intended send time (open loop). */
export interface PacedJob {
  kind: 'paced';
  target: JobTarget;
  /** Arrivals per second. */
  rate: number;
  /** Seconds of load before measuring (discarded). */
  warmupSeconds: number;
  /** Seconds measured. */
  seconds: number;
  /** Ask for SSE and time the first `data:` chunk too. */
  stream: boolean;
}

/** A fixed number of connections, each sending its next request when the last one ends. */
export interface SaturationJob {
  kind: 'saturation';
  target: JobTarget;
  /** Concurrent connections (and requests in flight). */
  connections: number;
  /** Seconds of load before measuring (discarded). */
  warmupSeconds: number;
  /** Seconds measured. */
  seconds: number;
}

/** A few streamed requests against a slow upstream, watching when each chunk arrives. */
export interface ChunkTimingJob {
  kind: 'chunk-timing';
  target: JobTarget;
  /** Requests sent in all. */
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/**
 * A fixed number of requests, each in the next session of the target's rotation, so that
 * every session exists (and is cached) before anything is measured.
 */
export interface PrimeJob {
  kind: 'prime';
  target: JobTarget;
  /** Requests sent in all (session `i % count` for request `i`). */
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/** Any job. */
export type LoadJob = PacedJob | SaturationJob | ChunkTimingJob | PrimeJob;

/** Figures of a paced job; times in milliseconds, measured from each request's intended send time. */
export interface PacedResult {
  kind: 'paced';
  /** Requests scheduled in the measured window. */
  scheduled: number;
  /** Non-2xx answers and failed exchanges. */
  errors: number;
  /** Intended send time to the end of the answer. */
  latency: Summary;
  /** Intended send time to the first body chunk carrying `data:` (streamed jobs only). */
  firstData: Summary | undefined;
  /** How late the generator sent, from intended time: its own share of every latency. */
  sendLag: Summary;
}

/** Figures of a saturation job. */
export interface SaturationResult {
  kind: 'saturation';
  /** Answers completed inside the measured window. */
  completed: number;
  /** Non-2xx answers and failed exchanges. */
  errors: number;
  /** Completed answers per second of the measured window. */
  requestsPerSecond: number;
}

/** Figures of a chunk-timing job; times in milliseconds. */
export interface ChunkTimingResult {
  kind: 'chunk-timing';
  /** Non-2xx answers and failed exchanges. */
  errors: number;
  /** Time between the first and the last body chunk carrying `data:`, per request. */
  spreadMs: Summary;
  /** Body chunks carrying `data:` that arrived separately, per request. */
  dataChunks: Summary;
}

/** Figures of a priming job. */
export interface PrimeResult {
  kind: 'prime';
  /** Answers that were not 2xx, and failed exchanges. */
  errors: number;
  /** Seconds it took. */
  seconds: number;
}

/** Any result. */
export type LoadResult = PacedResult | SaturationResult | ChunkTimingResult | PrimeResult;

/** The result type of a job type. */
export type ResultOf<Job extends LoadJob> = Extract<LoadResult, { kind: Job['kind'] }>;

/** Parent to load-generator child. */
export type LoadRequestMessage = { type: 'run'; id: number; job: LoadJob };

/** Load-generator child to parent. */
export type LoadReplyMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'failed'; id: number; message: string };
