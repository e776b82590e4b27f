/**
 * Runs a benchmark plan through the gateway's real dispatch path: bounded
 * concurrency, pacing per model, Retry-After honoured, transient failures retried,
 * and every finished result written at once, keyed by run, model and scenario — so
 * a run stopped by Ctrl-C or a crash resumes with nothing lost and nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ChatContext, ChatDispatcher } from '../dispatch/chat-dispatcher.js';
import type { ChatCompletionChunk, ChatRequest, ModelPricing, Usage } from '../spec/index.js';
import {
  type BenchmarkStore,
  type BenchResultRecord,
  benchmarkRequestPrefix,
  resultKey,
} from '../storage/index.js';
import type { BenchmarkPlan } from './benchmark-plan.js';
import { classifyFailure, type Failure } from './classify-failure.js';
import { estimateCost } from './estimate-cost.js';
import { type JudgeVerdict, judgeRequest, parseJudgeVerdict } from './judge-rubric.js';
import type { RateGate } from './rate-gate.js';
import type { Scenario } from './scenario-schema.js';
import { scoreAnswer, unansweredScore } from './score-answer.js';

/** Rate-limit waits one scenario may sit through before it is recorded as an error. */
const maxRateLimitWaits = 8;
/** First pause after a transient failure; doubles each time, up to {@link maxBackoffMs}. */
const baseBackoffMs = 500;
const maxBackoffMs = 8_000;

/** What the runner needs around it; everything with time or I/O is injected. */
export interface RunnerDependencies {
  /** The gateway's chat dispatcher: the same path as live traffic (fallback, keys, recording). */
  chat: Pick<ChatDispatcher, 'stream' | 'complete'>;
  store: BenchmarkStore;
  /** Pacing per model. */
  gate: RateGate;
  /** Catalog prices of a model, for answers whose upstream reports no cost. */
  pricing?: (model: string) => ModelPricing | undefined;
  /** Wall clock, epoch milliseconds (result times, pacing). */
  now?: () => number;
  /** Monotonic clock for durations, milliseconds. */
  monotonic?: () => number;
  /** Waits `ms`, rejecting when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How far a run has got. */
export interface RunProgress {
  runId: string;
  /** Model × scenario pairs in the run. */
  total: number;
  /** Pairs with a result (from earlier sessions too). */
  done: number;
  /** Results recorded as errors (no answer). */
  errors: number;
  /** Calls in flight. */
  running: number;
  /** Milliseconds since this session started. */
  elapsedMs: number;
  /** Estimated milliseconds left, from this session's pace; null until a result is in. */
  etaMs: number | null;
}

/** Callbacks and cancellation of one run. */
export interface RunHooks {
  /** Aborting stops the run: calls in flight are abandoned (not recorded) and the run is `interrupted`. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  onResult?: (result: BenchResultRecord) => void;
}

/** How a run session ended. It never throws half-way: a failure is reported here. */
export interface RunOutcome {
  runId: string;
  status: 'completed' | 'interrupted' | 'failed';
  total: number;
  /** Results recorded by this session. */
  recorded: number;
  /** Results already recorded before this session (a resume). */
  alreadyRecorded: number;
  /** Results of this session recorded as errors. */
  errors: number;
  /** Why the run failed, for `failed`. */
  error?: string;
}

/** One model × scenario pair waiting to run. */
interface WorkItem {
  model: string;
  scenario: Scenario;
  /** Calls made so far. */
  attempts: number;
  /** Transient failures so far. */
  failures: number;
  /** Rate-limit waits so far. */
  rateLimitWaits: number;
  /** Not before this epoch-millisecond time (backoff). */
  notBefore: number;
}

/** What one call produced. */
interface Answer {
  text: string;
  latencyMs: number;
  firstTokenMs: number;
  usage: Usage | undefined;
  upstreamModel: string | null;
}

/** The request a scenario sends to a model. */
export function scenarioRequest(scenario: Scenario, model: string): ChatRequest {
  return {
    model,
    messages: scenario.messages.map((message) => ({
      role: message.role,
      content: message.content,
    })),
    max_tokens: scenario.maxTokens,
    temperature: scenario.temperature,
    stream: true,
    stream_options: { include_usage: true },
    ...(scenario.responseFormat === 'json' ? { response_format: { type: 'json_object' } } : {}),
  };
}

/** Waits `ms` or until `signal` aborts, whichever comes first; never rejects. */
async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
}

/** Runs (or resumes) `runId` with `plan`. The run must exist in the store. */
export async function executeRun(
  runId: string,
  plan: BenchmarkPlan,
  deps: RunnerDependencies,
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  const now = deps.now ?? Date.now;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const sleep = deps.sleep ?? defaultSleep;
  const signal = hooks.signal ?? new AbortController().signal;
  const total = plan.models.length * plan.scenarios.length;
  const startedAt = monotonic();
  let sequence = 0;
  let recorded = 0;
  let errors = 0;
  let running = 0;

  let alreadyRecorded: number;
  const queue: WorkItem[] = [];
  try {
    const done = await deps.store.recordedKeys(runId);
    alreadyRecorded = done.size;
    // Scenario by scenario, every model in turn: models are compared on the same ground early.
    for (const scenario of plan.scenarios) {
      for (const model of plan.models) {
        if (done.has(resultKey(model, scenario.id))) continue;
        queue.push({ model, scenario, attempts: 0, failures: 0, rateLimitWaits: 0, notBefore: 0 });
      }
    }
    await deps.store.setRunStatus(runId, 'running');
  } catch (error) {
    return {
      runId,
      status: 'failed',
      total,
      recorded: 0,
      alreadyRecorded: 0,
      errors: 0,
      error: messageOf(error),
    };
  }

  const progress = (): RunProgress => {
    const elapsedMs = monotonic() - startedAt;
    const done = alreadyRecorded + recorded;
    return {
      runId,
      total,
      done,
      errors,
      running,
      elapsedMs,
      etaMs: recorded === 0 ? null : (elapsedMs / recorded) * (total - done),
    };
  };

  /** The first item whose model may start now, or how long to wait for one; undefined when the queue is empty. */
  function pick(): { item: WorkItem } | { waitMs: number } | undefined {
    if (queue.length === 0) return undefined;
    const at = now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const [index, item] of queue.entries()) {
      const readyAt = Math.max(item.notBefore, deps.gate.readyAt(item.model));
      if (readyAt <= at) {
        queue.splice(index, 1);
        deps.gate.take(item.model);
        return { item };
      }
      earliest = Math.min(earliest, readyAt);
    }
    return { waitMs: Math.max(1, earliest - at) };
  }

  /** Streams one scenario from one model; resolves with the answer and its timings. */
  async function ask(item: WorkItem): Promise<Answer> {
    sequence += 1;
    const context: ChatContext = {
      requestId: `${benchmarkRequestPrefix}${runId}-${sequence}`,
      signal,
      task: item.scenario.task,
      owner: 'operator',
    };
    const started = monotonic();
    const stream = await deps.chat.stream(scenarioRequest(item.scenario, item.model), context);
    const firstTokenMs = monotonic() - started;
    let text = '';
    let usage: Usage | undefined;
    let upstreamModel: string | null = null;
    for await (const chunk of stream.chunks as AsyncIterable<ChatCompletionChunk>) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
      upstreamModel ??= typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : null;
    }
    return { text, latencyMs: monotonic() - started, firstTokenMs, usage, upstreamModel };
  }

  /** Asks the judge for a verdict; a judge failure is noted, never fatal. */
  async function judge(
    scenario: Scenario,
    text: string,
  ): Promise<{ verdict?: JudgeVerdict; note?: string }> {
    if (plan.judge === null) return {};
    try {
      const judged = await deps.chat.complete(judgeRequest(plan.judge, scenario, text), {
        requestId: `${benchmarkRequestPrefix}${runId}-judge-${sequence}`,
        signal,
        owner: 'operator',
      });
      const parsed = parseJudgeVerdict(judged.completion.choices[0]?.message.content ?? '');
      return 'error' in parsed ? { note: parsed.error } : { verdict: parsed };
    } catch (error) {
      if (signal.aborted) throw error;
      return { note: `the judge failed: ${messageOf(error)}` };
    }
  }

  /** Writes a result and reports progress. */
  async function record(result: BenchResultRecord): Promise<void> {
    if (await deps.store.addResult(result)) {
      recorded += 1;
      if (result.status === 'error') errors += 1;
      hooks.onResult?.(result);
    }
    hooks.onProgress?.(progress());
  }

  function baseResult(
    item: WorkItem,
  ): Omit<BenchResultRecord, 'status' | 'passed' | 'safetyPassed' | 'quality' | 'checks'> {
    return {
      id: `res_${randomBytes(8).toString('hex')}`,
      runId,
      model: item.model,
      modelVersion: null,
      scenarioId: item.scenario.id,
      suite: item.scenario.suite,
      suiteVersion: item.scenario.suiteVersion,
      task: item.scenario.task,
      safety: item.scenario.safety,
      judgeModel: null,
      judgeScore: null,
      judgeReasons: null,
      answer: null,
      error: null,
      latencyMs: null,
      firstTokenMs: null,
      promptTokens: null,
      completionTokens: null,
      tokensPerSecond: null,
      costUsd: null,
      attempts: item.attempts,
      createdAt: Math.round(now()),
    };
  }

  async function recordAnswer(item: WorkItem, answer: Answer): Promise<void> {
    const { verdict, note } = await judge(item.scenario, answer.text);
    const score = scoreAnswer(item.scenario, answer.text, verdict);
    const completionTokens = answer.usage?.completion_tokens ?? null;
    const generationMs = answer.latencyMs - answer.firstTokenMs;
    await record({
      ...baseResult(item),
      modelVersion: answer.upstreamModel,
      status: 'answered',
      ...score,
      judgeModel: plan.judge,
      judgeScore: verdict?.score ?? null,
      judgeReasons: verdict?.reasons ?? note ?? null,
      answer: answer.text,
      latencyMs: answer.latencyMs,
      firstTokenMs: answer.firstTokenMs,
      promptTokens: answer.usage?.prompt_tokens ?? null,
      completionTokens,
      // Generation speed: tokens after the first one arrived, over the time they took.
      tokensPerSecond:
        completionTokens !== null && completionTokens > 0
          ? completionTokens / (Math.max(generationMs, 1) / 1000)
          : null,
      costUsd: estimateCost(answer.usage, deps.pricing?.(item.model)),
    });
  }

  async function recordError(item: WorkItem, message: string): Promise<void> {
    await record({
      ...baseResult(item),
      status: 'error',
      ...unansweredScore(item.scenario),
      error: message,
    });
  }

  /** Decides what follows a failed call: wait and retry, or record the error. */
  async function handleFailure(
    item: WorkItem,
    failure: Exclude<Failure, { kind: 'aborted' }>,
  ): Promise<void> {
    if (failure.kind === 'rate-limited') {
      item.rateLimitWaits += 1;
      if (item.rateLimitWaits > maxRateLimitWaits) {
        return recordError(
          item,
          `still rate limited after ${maxRateLimitWaits} waits: ${failure.message}`,
        );
      }
      deps.gate.pause(item.model, failure.retryAfterMs ?? backoff(item.rateLimitWaits));
      queue.unshift(item);
      return;
    }
    if (failure.kind === 'transient') {
      item.failures += 1;
      if (item.failures > plan.retries) {
        return recordError(item, `failed ${item.failures} times, last: ${failure.message}`);
      }
      item.notBefore = now() + backoff(item.failures);
      queue.unshift(item);
      return;
    }
    return recordError(item, failure.message);
  }

  async function worker(): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      const next = pick();
      if (next === undefined) return;
      if ('waitMs' in next) {
        await sleep(next.waitMs, signal);
        continue;
      }
      const { item } = next;
      item.attempts += 1;
      running += 1;
      hooks.onProgress?.(progress());
      let answer: Answer | undefined;
      let failure: Failure | undefined;
      try {
        answer = await ask(item);
      } catch (error) {
        failure = classifyFailure(error, signal);
      }
      try {
        if (answer !== undefined) await recordAnswer(item, answer);
        else if (failure !== undefined && failure.kind !== 'aborted')
          await handleFailure(item, failure);
      } catch (error) {
        // An abort during the judge leaves the scenario for a resume; anything else is the store failing.
        if (!signal.aborted) throw error;
      } finally {
        running -= 1;
      }
    }
  }

  try {
    const workers = Math.max(1, Math.min(plan.concurrency, queue.length));
    await Promise.all(Array.from({ length: workers }, () => worker()));
  } catch (error) {
    const message = messageOf(error);
    await deps.store.setRunStatus(runId, 'failed', message).catch(() => undefined);
    return { runId, status: 'failed', total, recorded, alreadyRecorded, errors, error: message };
  }
  const complete = alreadyRecorded + recorded >= total;
  const status = complete ? 'completed' : 'interrupted';
  try {
    await deps.store.setRunStatus(runId, status);
  } catch (error) {
    return {
      runId,
      status: 'failed',
      total,
      recorded,
      alreadyRecorded,
      errors,
      error: messageOf(error),
    };
  }
  hooks.onProgress?.(progress());
  return { runId, status, total, recorded, alreadyRecorded, errors };
}

/** Pause before the `attempt`th retry: 0.5 s doubling, at most 8 s. */
function backoff(attempt: number): number {
  return Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
