/**
 * An open-loop load of chat completions at a fixed arrival rate, streamed and non-streamed
 * requests mixed, that reads every answer whole and checks it is complete and well formed:
 * the load suite's client. Request `i` is intended at `start + i / rate` and timed from
 * then, so a stalled gateway cannot hide its stall by slowing the arrivals. Runs over undici
 * keep-alive connections; times in milliseconds.
 */
import { Pool } from 'undici';
import { percentile } from '../src/benchmarking/latency-histogram.js';
import { sendPaced } from './paced-sends.js';

/** What to send, how fast and for how long. */
export interface MixedLoadOptions {
  /** `http://127.0.0.1:<port>` of the gateway. */
  origin: string;
  /** Headers of every request besides `content-type` (a bearer key). */
  headers?: Record<string, string>;
  /** The JSON body of a non-streamed request; streamed ones add `stream` and `stream_options`. */
  body: Record<string, unknown>;
  /** Arrivals per second. */
  rate: number;
  /** Seconds of arrivals. */
  seconds: number;
  /** Every `streamEvery`-th request streams (2: half of them). */
  streamEvery: number;
  /** The answer texts that count as complete; anything else is a client-visible error. */
  expectedTexts: readonly string[];
  /** Keep-alive connections to the gateway (default 128). */
  connections?: number;
  /** Longest an exchange may take before it counts as failed, ms (default 30 s). */
  exchangeTimeoutMs?: number;
}

/** What a load run achieved. */
export interface MixedLoadResult {
  /** Requests sent. */
  requests: number;
  /** Of them, streamed. */
  streamed: number;
  /** Seconds from the first intended send to the last answer. */
  elapsedSeconds: number;
  /** Requests answered completely per second of `elapsedSeconds`. */
  achievedRate: number;
  /** Answers that were not complete, well-formed 200s (or exchanges that failed). */
  clientErrors: number;
  /** The first few client errors, described. */
  errorSamples: string[];
  /** Answers that say (`x-tta-fallbacks`) the gateway fell back from an earlier model. */
  fallbackAnswers: number;
  /** How many answers carried each expected text. */
  answersByText: Record<string, number>;
  /** Intended send time to the end of the answer, successful requests only. */
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  /** How late the generator itself sent (its share of every latency), p99. */
  sendLagP99Ms: number | null;
}

/** One exchange, judged. */
type Verdict = { ok: true; text: string; fallback: boolean } | { ok: false; why: string };

const epoch = process.hrtime.bigint();

/** Milliseconds since this module loaded. */
function now(): number {
  return Number(process.hrtime.bigint() - epoch) / 1e6;
}

/** Sends `rate × seconds` requests at a steady pace and judges every answer. */
export async function runMixedLoad(options: MixedLoadOptions): Promise<MixedLoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections ?? 128,
    pipelining: 1,
    headersTimeout: options.exchangeTimeoutMs ?? 30_000,
    bodyTimeout: options.exchangeTimeoutMs ?? 30_000,
  });
  const headers = { 'content-type': 'application/json', ...options.headers };
  const plain = JSON.stringify(options.body);
  const streamed = JSON.stringify({
    ...options.body,
    stream: true,
    stream_options: { include_usage: true },
  });
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const errorSamples: string[] = [];
  const answersByText: Record<string, number> = Object.fromEntries(
    options.expectedTexts.map((text) => [text, 0]),
  );
  let clientErrors = 0;
  let fallbackAnswers = 0;
  let streamedCount = 0;
  const inFlight: Array<Promise<void>> = [];

  const send = (index: number, intended: number): void => {
    sendLags.push(now() - intended);
    const stream = index % options.streamEvery === 0;
    if (stream) streamedCount += 1;
    const payload = stream ? streamed : plain;
    const timeoutMs = options.exchangeTimeoutMs ?? 30_000;
    inFlight.push(
      exchange(pool, headers, payload, stream, options.expectedTexts, timeoutMs).then((verdict) => {
        if (!verdict.ok) {
          clientErrors += 1;
          if (errorSamples.length < 5) errorSamples.push(`request ${index}: ${verdict.why}`);
          return;
        }
        latencies.push(now() - intended);
        answersByText[verdict.text] = (answersByText[verdict.text] ?? 0) + 1;
        if (verdict.fallback) fallbackAnswers += 1;
      }),
    );
  };

  let start: number;
  try {
    start = await sendPaced(total, interval, now, send);
    await Promise.all(inFlight);
  } finally {
    await pool.destroy();
  }
  const elapsedSeconds = (now() - start) / 1000;
  const sortedLatencies = latencies.sort((left, right) => left - right);
  return {
    requests: total,
    streamed: streamedCount,
    elapsedSeconds,
    achievedRate: latencies.length / elapsedSeconds,
    clientErrors,
    errorSamples,
    fallbackAnswers,
    answersByText,
    latencyMs: {
      p50: percentile(sortedLatencies, 0.5),
      p99: percentile(sortedLatencies, 0.99),
      max: sortedLatencies.at(-1) ?? null,
    },
    sendLagP99Ms: percentile(sendLags, 0.99),
  };
}

/** Sends one request, reads the whole answer and judges it; never throws. */
async function exchange(
  pool: Pool,
  headers: Record<string, string>,
  payload: string,
  stream: boolean,
  expectedTexts: readonly string[],
  timeoutMs: number,
): Promise<Verdict> {
  try {
    const response = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.body.text();
    if (response.statusCode !== 200) {
      return { ok: false, why: `status ${response.statusCode}: ${body.slice(0, 300)}` };
    }
    const fallback = Number(response.headers['x-tta-fallbacks'] ?? 0) > 0;
    const text = stream ? streamedText(body) : completionText(body);
    if (typeof text !== 'string') return { ok: false, why: text.why };
    if (!expectedTexts.includes(text)) return { ok: false, why: `unexpected answer ${text}` };
    return { ok: true, text, fallback };
  } catch (error) {
    return { ok: false, why: `exchange failed: ${String(error)}` };
  }
}

/** The answer text of a non-streamed completion, or why it is not a complete one. */
function completionText(body: string): string | { why: string } {
  try {
    const parsed = JSON.parse(body) as {
      choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
    };
    const choice = parsed.choices?.[0];
    if (typeof choice?.message?.content !== 'string') return { why: `no content: ${body}` };
    if (choice.finish_reason !== 'stop') return { why: `finish_reason ${choice.finish_reason}` };
    return choice.message.content;
  } catch {
    return { why: `not JSON: ${body.slice(0, 300)}` };
  }
}

/**
 * The text of a streamed completion: every event parses as a chunk (no error event), the
 * last content chunk says `finish_reason: stop`, and the stream ends with `data: [DONE]`.
 */
function streamedText(body: string): string | { why: string } {
  const data = body
    .split('\n\n')
    .flatMap((frame) => frame.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length));
  if (data.at(-1) !== '[DONE]')
    return { why: `stream did not end with [DONE]: ${body.slice(-300)}` };
  let text = '';
  let finished = false;
  for (const payload of data.slice(0, -1)) {
    let chunk: {
      error?: unknown;
      choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>;
    };
    try {
      chunk = JSON.parse(payload) as typeof chunk;
    } catch {
      return { why: `event is not JSON: ${payload.slice(0, 200)}` };
    }
    if (chunk.error !== undefined) return { why: `error event: ${payload.slice(0, 300)}` };
    for (const choice of chunk.choices ?? []) {
      if (typeof choice.delta?.content === 'string') text += choice.delta.content;
      if (choice.finish_reason === 'stop') finished = true;
    }
  }
  return finished ? text : { why: `stream ended without finish_reason stop: ${body.slice(-300)}` };
}
