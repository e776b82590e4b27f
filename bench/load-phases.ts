/**
 * The load patterns of the benchmark, run inside the load-generator child so that the
 * processes being measured never share its event loop. Every request goes over undici
 * `Pool` keep-alive connections; times come from `process.hrtime`, in milliseconds.
 */
import { Pool } from 'undici';
import { sendPaced } from '../testkit/paced-sends.js';
import type {
  ChunkTimingJob,
  ChunkTimingResult,
  JobTarget,
  LoadJob,
  LoadResult,
  PacedJob,
  PacedResult,
  PrimeJob,
  PrimeResult,
  SaturationJob,
  SaturationResult,
} from './load-jobs.js';
import { summarize } from './percentiles.js';

const epoch = process.hrtime.bigint();

/** Milliseconds since this module loaded, with nanosecond resolution. */
function now(): number {
  return Number(process.hrtime.bigint() - epoch) / 1e6;
}

const jsonHeaders = { 'content-type': 'application/json' };

/** Longest an exchange may take, queueing in the pool included, in milliseconds. */
const exchangeTimeoutMs = 15_000;

/**
 * The headers of a target's requests. Without a session rotation every request shares one
 * object; with one, `session(n)` gives request `n`'s headers (made per request, which the
 * generator pays for, not the target).
 */
interface RequestHeaders {
  fixed: Record<string, string>;
  session: ((index: number) => Record<string, string>) | undefined;
}

function requestHeaders(target: JobTarget): RequestHeaders {
  const fixed = { ...jsonHeaders, ...target.headers };
  const rotation = target.sessions;
  if (rotation === undefined) return { fixed, session: undefined };
  return {
    fixed,
    session: (index) => ({
      ...fixed,
      [rotation.header]: `${rotation.prefix}${index % rotation.count}`,
    }),
  };
}

/**
 * The headers of one measured request: a session chosen at random, so that a rotation over
 * as many sessions as the gateway caches does not become a cyclic scan of its LRU cache.
 */
function anyRequestHeaders(headers: RequestHeaders): Record<string, string> {
  return headers.session === undefined
    ? headers.fixed
    : headers.session(Math.floor(Math.random() * 0x7fffffff));
}

/** Keep-alive pool options: a stalled target fails requests instead of hanging the run. */
function poolOptions(connections: number): Pool.Options {
  return { connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 };
}

/** When one exchange ended, and when its first `data:` chunks arrived. */
interface Exchange {
  ok: boolean;
  end: number;
  /** NaN when no body chunk carried `data:`. */
  firstData: number;
}

/** Pools with an exchange that ran out of time: closing them would wait for it forever. */
const stalled = new WeakSet<Pool>();

/** Closes a job's pool; one a stalled target still holds requests in is destroyed. */
async function release(pool: Pool): Promise<void> {
  if (stalled.has(pool)) await pool.destroy();
  else await pool.close();
}

/**
 * Sends one request and reads the whole answer; never throws. An exchange that takes longer
 * than `exchangeTimeoutMs` fails: undici aborts a request in flight, but one still queued
 * for a connection of a stalled target would wait, so the wait is cut short here too.
 */
async function exchange(
  pool: Pool,
  target: JobTarget,
  headers: Record<string, string>,
  payload: string,
  dataTimes?: number[],
): Promise<Exchange> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Exchange>((resolve) => {
    timer = setTimeout(() => {
      stalled.add(pool);
      resolve({ ok: false, end: now(), firstData: Number.NaN });
    }, exchangeTimeoutMs);
  });
  try {
    return await Promise.race([attempt(pool, target, headers, payload, dataTimes), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function attempt(
  pool: Pool,
  target: JobTarget,
  headers: Record<string, string>,
  payload: string,
  dataTimes?: number[],
): Promise<Exchange> {
  let firstData = Number.NaN;
  try {
    const response = await pool.request({
      path: target.path,
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(exchangeTimeoutMs),
    });
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (chunk.includes('data:')) {
        const at = now();
        if (Number.isNaN(firstData)) firstData = at;
        dataTimes?.push(at);
      }
    }
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { ok, end: now(), firstData };
  } catch {
    return { ok: false, end: now(), firstData };
  }
}

/**
 * The request body of a job, serialised once. Streamed requests ask for the usage event, as
 * the gateway does of its upstream anyway, so every target streams the same events.
 */
function payloadOf(target: JobTarget, stream: boolean): string {
  const streamed = { ...target.body, stream: true, stream_options: { include_usage: true } };
  return JSON.stringify(stream ? streamed : target.body);
}

/** Arrays of per-request figures of one paced run; NaN where a request failed. */
interface PacedSamples {
  latency: Float64Array;
  firstData: Float64Array;
  sendLag: Float64Array;
  errors: number;
}

/**
 * Sends `rate × seconds` requests, request `i` intended at `start + i / rate`. A request the
 * generator sends late is still timed from its intended time, so a stalled target cannot
 * hide its stall by slowing the arrivals (no coordinated omission).
 */
async function pacedRun(
  pool: Pool,
  job: PacedJob,
  seconds: number,
  payload: string,
): Promise<PacedSamples> {
  const headers = requestHeaders(job.target);
  const total = Math.max(1, Math.round(job.rate * seconds));
  const interval = 1000 / job.rate;
  const samples: PacedSamples = {
    latency: new Float64Array(total).fill(Number.NaN),
    firstData: new Float64Array(total).fill(Number.NaN),
    sendLag: new Float64Array(total),
    errors: 0,
  };
  const inFlight: Array<Promise<void>> = [];
  const send = (index: number, intended: number): void => {
    samples.sendLag[index] = now() - intended;
    inFlight.push(
      exchange(pool, job.target, anyRequestHeaders(headers), payload).then((result) => {
        if (!result.ok) {
          samples.errors += 1;
          return;
        }
        samples.latency[index] = result.end - intended;
        samples.firstData[index] = result.firstData - intended;
      }),
    );
  };
  await sendPaced(total, interval, now, send);
  await Promise.all(inFlight);
  return samples;
}

/** Only the samples of requests that succeeded. */
function succeeded(values: Float64Array): Float64Array {
  return values.filter((value) => !Number.isNaN(value));
}

/** A paced job: a discarded warm-up at the same rate, then the measured window. */
async function runPaced(job: PacedJob): Promise<PacedResult> {
  const pool = new Pool(job.target.origin, poolOptions(256));
  const payload = payloadOf(job.target, job.stream);
  try {
    if (job.warmupSeconds > 0) await pacedRun(pool, job, job.warmupSeconds, payload);
    const samples = await pacedRun(pool, job, job.seconds, payload);
    return {
      kind: 'paced',
      scheduled: samples.latency.length,
      errors: samples.errors,
      latency: summarize(succeeded(samples.latency)),
      firstData: job.stream ? summarize(succeeded(samples.firstData)) : undefined,
      sendLag: summarize(samples.sendLag),
    };
  } finally {
    await release(pool);
  }
}

/** A saturation job: every connection loops; answers completed in the window count. */
async function runSaturation(job: SaturationJob): Promise<SaturationResult> {
  const pool = new Pool(job.target.origin, poolOptions(job.connections));
  const payload = payloadOf(job.target, false);
  const headers = requestHeaders(job.target);
  const measureFrom = now() + job.warmupSeconds * 1000;
  const measureUntil = measureFrom + job.seconds * 1000;
  let completed = 0;
  let errors = 0;
  const loop = async (): Promise<void> => {
    while (now() < measureUntil) {
      const result = await exchange(pool, job.target, anyRequestHeaders(headers), payload);
      if (result.end < measureFrom || result.end > measureUntil) continue;
      if (result.ok) completed += 1;
      else errors += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: job.connections }, loop));
  } finally {
    await release(pool);
  }
  return { kind: 'saturation', completed, errors, requestsPerSecond: completed / job.seconds };
}

/** A chunk-timing job: when do the `data:` chunks of each streamed answer arrive? */
async function runChunkTiming(job: ChunkTimingJob): Promise<ChunkTimingResult> {
  const pool = new Pool(job.target.origin, poolOptions(job.concurrency));
  const payload = payloadOf(job.target, true);
  const headers = requestHeaders(job.target);
  const spreads: number[] = [];
  const counts: number[] = [];
  let errors = 0;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < job.requests) {
      next += 1;
      const times: number[] = [];
      const result = await exchange(pool, job.target, anyRequestHeaders(headers), payload, times);
      if (!result.ok || times.length === 0) {
        errors += 1;
        continue;
      }
      spreads.push((times.at(-1) as number) - (times[0] as number));
      counts.push(times.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: job.concurrency }, loop));
  } finally {
    await release(pool);
  }
  return {
    kind: 'chunk-timing',
    errors,
    spreadMs: summarize(spreads),
    dataChunks: summarize(counts),
  };
}

/** A priming job: every session of the rotation gets its first turn, in order. */
async function runPrime(job: PrimeJob): Promise<PrimeResult> {
  const pool = new Pool(job.target.origin, poolOptions(job.concurrency));
  const payload = payloadOf(job.target, false);
  const headers = requestHeaders(job.target);
  const started = now();
  let errors = 0;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < job.requests) {
      const index = next;
      next += 1;
      const own = headers.session === undefined ? headers.fixed : headers.session(index);
      const result = await exchange(pool, job.target, own, payload);
      if (!result.ok) errors += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: job.concurrency }, loop));
  } finally {
    await release(pool);
  }
  return { kind: 'prime', errors, seconds: (now() - started) / 1000 };
}

/** Runs any job. */
export function runJob(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case 'paced':
      return runPaced(job);
    case 'saturation':
      return runSaturation(job);
    case 'chunk-timing':
      return runChunkTiming(job);
    case 'prime':
      return runPrime(job);
  }
}
