import type { Deadlines } from '../config/config-schema.js';
import {
  ApiCallError,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatModel,
  type ChatRequest,
} from '../spec/index.js';
import { type Adapted, adaptRequest, type Capabilities } from './adapt-request.js';
import { AllModelsFailedError, type Attempt } from './all-models-failed.js';
import { continuationRequest, createOverlapTrimmer } from './continuation.js';
import type { Cooldowns } from './cooldowns.js';
import { withDeadlines } from './deadlines.js';
import { linkedAbort } from './linked-abort.js';
import { BrokenCircuitError, type ModelHealth } from './model-health.js';

/** One model of a chain. */
export interface ChainMember {
  /** Public name, `<providerId>/<modelId>`. */
  name: string;
  /** Configured provider id. */
  providerId: string;
  /** The provider's model handle. */
  model: ChatModel;
  /** What it is known to handle (context window, parameters); unknown means assume it can. */
  capabilities?: Capabilities;
}

/** How one upstream call is made: the dispatcher adds the caller's key and request id. */
export type CallRunner = <T>(
  member: ChainMember,
  run: (options: CallOptions) => Promise<T>,
  signal: AbortSignal,
) => Promise<T>;

/** What a chain needs around it. */
export interface ChainDependencies {
  /** Models told to wait (`Retry-After`). */
  cooldowns: Cooldowns;
  /** Makes one upstream call for a member. */
  call: CallRunner;
  /** Breakers and rolling health per model; unwell models go behind healthy ones. */
  health?: ModelHealth;
  /** Told about every failed attempt and every switch (for health and incidents). */
  onAttemptFailed?: (attempt: Attempt, error: unknown) => void;
  /** Told when a member answered. */
  onAttemptSucceeded?: (member: ChainMember, durationMs: number) => void;
  /** Clock, milliseconds. */
  now?: () => number;
}

/** Deadlines for the last model of a chain: there is nothing to switch to, so be patient. */
const lastResort: Deadlines = { firstTokenMs: 120_000, stallMs: 60_000, completionMs: 300_000 };

/** Upstream refusals that concern that provider or model, not the request: another model may do. */
const elsewhere = new Set([401, 402, 403, 404]);

/**
 * True when the error is worth trying another model for: anything retryable (408, 409,
 * 429, 5xx, connection errors, timeouts, malformed answers) and refusals specific to the
 * model or its key. A request the upstream found malformed (400) would fail anywhere.
 */
export function movesOn(error: unknown): boolean {
  if (error instanceof BrokenCircuitError) return true;
  if (!(error instanceof ApiCallError) || error.code === 'request_aborted') return false;
  return error.isRetryable || (error.statusCode !== undefined && elsewhere.has(error.statusCode));
}

/**
 * A fallback chain: tries its members in order, skipping those cooling down, moving on
 * after retryable failures and deadlines, and — for streams — carrying a broken answer
 * over to the next model so the client's single stream goes on.
 */
export function createFallbackChain(
  members: readonly ChainMember[],
  deadlines: Deadlines,
  dependencies: ChainDependencies,
) {
  const now = dependencies.now ?? (() => performance.now());

  /** Members in the order to try them: those cooling down go last, in case nothing else works. */
  function order(): { ready: ChainMember[]; skipped: string[] } {
    // A lone model is tried whatever its cooldown: there is nothing to prefer over it.
    if (members.length === 1) return { ready: [...members], skipped: [] };
    // One look at each member (every request of a chain asks this).
    const ready: ChainMember[] = [];
    const back: ChainMember[] = [];
    for (const member of members) {
      const held =
        dependencies.cooldowns.isCooling(member.name) ||
        (dependencies.health?.isUnwell(member.name) ?? false);
      (held ? back : ready).push(member);
    }
    if (back.length === 0) return { ready, skipped: [] };
    return { ready: [...ready, ...back], skipped: back.map((member) => member.name) };
  }

  function failed(
    member: ChainMember,
    error: unknown,
    startedAt: number,
    afterContent: boolean,
  ): Attempt {
    const attempt: Attempt = {
      model: member.name,
      code:
        error instanceof ApiCallError
          ? error.code
          : error instanceof BrokenCircuitError
            ? 'circuit_open'
            : 'internal_error',
      message: error instanceof Error ? error.message : String(error),
      durationMs: now() - startedAt,
      afterContent,
    };
    if (error instanceof ApiCallError && error.retryAfterMs !== undefined) {
      dependencies.cooldowns.cool(member.name, error.retryAfterMs);
    }
    dependencies.onAttemptFailed?.(attempt, error);
    return attempt;
  }

  /** One call of a member, through its breaker when health is tracked. */
  function guarded<T>(
    member: ChainMember,
    run: (options: CallOptions) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const call = () => dependencies.call(member, run, signal);
    return dependencies.health ? dependencies.health.run(member.name, call) : call();
  }

  /** The request fitted to a member, or undefined (and an attempt recorded) when it cannot be. */
  function fit(member: ChainMember, request: ChatRequest, attempts: Attempt[], errors: unknown[]) {
    const adapted: Adapted = adaptRequest(request, member.capabilities ?? {});
    if (adapted.ok) return adapted;
    const error = new ApiCallError({
      message: `${member.name}: ${adapted.reason}`,
      providerId: member.providerId,
      code: adapted.code,
      isRetryable: true,
    });
    attempts.push(failed(member, error, now(), false));
    errors.push(error);
    return undefined;
  }

  function deadlinesFor(index: number, total: number): Deadlines {
    return index === total - 1 ? lastResort : deadlines;
  }

  return {
    /** One complete answer from the first member that gives one. */
    async generate(
      request: ChatRequest,
      signal: AbortSignal,
    ): Promise<{
      member: ChainMember;
      completion: ChatCompletion;
      attempts: Attempt[];
      adaptations: string[];
    }> {
      const { ready, skipped } = order();
      const attempts: Attempt[] = [];
      const errors: unknown[] = [];
      for (const [index, member] of ready.entries()) {
        const startedAt = now();
        const fitted = fit(member, request, attempts, errors);
        if (!fitted) continue;
        const attempt = linkedAbort(signal, deadlinesFor(index, ready.length).completionMs);
        try {
          const completion = await guarded(
            member,
            async (options) => {
              const answer = await member.model.generate(
                { ...fitted.request, model: member.model.modelId },
                options,
              );
              if (fitted.adaptations.includes('json-by-instruction')) requireJson(member, answer);
              return answer;
            },
            attempt.signal,
          );
          dependencies.onAttemptSucceeded?.(member, now() - startedAt);
          return { member, completion, attempts, adaptations: fitted.adaptations };
        } catch (error) {
          if (signal.aborted || !movesOn(error)) throw error;
          attempts.push(failed(member, error, startedAt, false));
          errors.push(error);
        } finally {
          attempt.dispose();
        }
      }
      throw exhausted(attempts, errors, skipped);
    },

    /**
     * Streams from the first member that starts; resolves once the first chunk is in
     * hand. A failure after that continues on the next member inside the same stream.
     */
    async stream(request: ChatRequest, signal: AbortSignal) {
      const { ready, skipped } = order();
      const attempts: Attempt[] = [];
      const errors: unknown[] = [];
      let partial = '';
      let index = 0;
      let answering: ChainMember | undefined;

      /** Opens the stream of `ready[index]` and waits for its first chunk. */
      async function open(from: number) {
        for (index = from; index < ready.length; index++) {
          const member = ready[index] as ChainMember;
          const startedAt = now();
          const fitted = fit(
            member,
            partial ? continuationRequest(request, partial) : request,
            attempts,
            errors,
          );
          if (!fitted) continue;
          const upstreamRequest = fitted.request;
          // Lives as long as this member's stream; disposed when it ends or fails.
          const attempt = linkedAbort(signal);
          try {
            const limits = deadlinesFor(index, ready.length);
            // The first chunk is awaited inside the call, so a refused key is retried there.
            const { iterator, first } = await guarded(
              member,
              async (options) => {
                const raw = member.model.stream(
                  { ...upstreamRequest, model: member.model.modelId },
                  options,
                );
                const iterator = withDeadlines(raw[Symbol.asyncIterator](), limits, {
                  providerId: member.providerId,
                  model: member.name,
                  abort: attempt.abort,
                });
                return { iterator, first: await iterator.next() };
              },
              attempt.signal,
            );
            answering = member;
            return { member, iterator, first, startedAt, adaptations: fitted.adaptations, attempt };
          } catch (error) {
            attempt.dispose();
            if (signal.aborted || !movesOn(error)) throw error;
            attempts.push(failed(member, error, startedAt, partial.length > 0));
            errors.push(error);
          }
        }
        throw exhausted(attempts, errors, skipped);
      }

      let current = await open(0);
      const firstChunk = current.first;

      async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
        let identity: Identity | undefined;
        let result = current.first;
        try {
          yield* relayAll();
        } finally {
          // Closing early (the client left) releases the upstream stream too.
          if (!result.done) await current.iterator.return?.(undefined);
          current.attempt.dispose();
        }

        async function* relayAll(): AsyncGenerator<ChatCompletionChunk> {
          for (;;) {
            const continuing = partial.length > 0;
            const trimmer = continuing ? createOverlapTrimmer(partial) : undefined;
            try {
              while (!result.done) {
                const chunk = result.value;
                identity ??= { id: chunk.id, created: chunk.created, model: chunk.model };
                const content = chunk.choices[0]?.delta.content;
                if (trimmer) {
                  const out = rewriteContinuation(chunk, identity, trimmer);
                  if (out) {
                    partial += out.choices[0]?.delta.content ?? '';
                    yield out;
                  }
                } else {
                  if (content) partial += content;
                  yield chunk;
                }
                result = await current.iterator.next();
              }
              if (trimmer) {
                const rest = trimmer.flush();
                if (rest) yield textChunk(identity, rest);
              }
              dependencies.onAttemptSucceeded?.(current.member, now() - current.startedAt);
              return;
            } catch (error) {
              if (signal.aborted || !movesOn(error)) throw error;
              // The call itself had succeeded; its breaker learns of the failure here.
              dependencies.health?.recordLateFailure(current.member.name, error);
              attempts.push(failed(current.member, error, current.startedAt, partial.length > 0));
              errors.push(error);
              current.attempt.dispose();
              current = await open(index + 1);
              result = current.first;
            }
          }
        }
      }

      return {
        /** The member whose first chunk opened the stream. */
        member: current.member,
        /** How the request was changed to fit that member. */
        adaptations: current.adaptations,
        /** The first chunk (already received). */
        first: firstChunk,
        /** Every chunk, the first included, across switches. */
        chunks: chunks(),
        /** Attempts that failed so far (grows if the stream switches). */
        attempts,
        /** The member answering now. */
        answering: () => answering ?? current.member,
      };
    },
  };
}

/** A model asked for JSON in words must answer JSON; otherwise the next model gets its turn. */
function requireJson(member: ChainMember, completion: ChatCompletion): void {
  const content = completion.choices[0]?.message.content ?? '';
  try {
    JSON.parse(content);
  } catch {
    throw new ApiCallError({
      message: `${member.name}: asked for JSON without a JSON mode, it answered something else`,
      providerId: member.providerId,
      code: 'upstream_malformed_response',
      isRetryable: true,
    });
  }
}

/** The error for a chain with nothing left: a lone model's own error, else every attempt listed. */
function exhausted(attempts: Attempt[], errors: unknown[], skipped: string[]): unknown {
  return attempts.length === 1 && skipped.length === 0
    ? errors[0]
    : new AllModelsFailedError(attempts, errors, skipped);
}

/** A continuation chunk made to look like the rest of the stream: same id, no second role, repeats cut. */
/** What every chunk of one client stream shares. */
interface Identity {
  id: string;
  created: number;
  model: string;
}

function rewriteContinuation(
  chunk: ChatCompletionChunk,
  identity: Identity,
  trimmer: ReturnType<typeof createOverlapTrimmer>,
): ChatCompletionChunk | undefined {
  const choice = chunk.choices[0];
  const ending =
    choice?.finish_reason != null ||
    chunk.usage != null ||
    (choice?.delta.tool_calls?.length ?? 0) > 0;
  let text = trimmer.push(choice?.delta.content ?? '');
  if (ending) text += trimmer.flush();
  if (!text && !ending) return undefined;
  const { role: _role, ...delta } = choice?.delta ?? {};
  return {
    ...chunk,
    id: identity.id,
    created: identity.created,
    choices: choice ? [{ ...choice, delta: { ...delta, content: text } }] : [],
  };
}

function textChunk(identity: Identity | undefined, text: string): ChatCompletionChunk {
  return {
    id: identity?.id ?? 'chatcmpl-continued',
    object: 'chat.completion.chunk',
    created: identity?.created ?? Math.floor(Date.now() / 1000),
    model: identity?.model ?? '',
    choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
  };
}

/** A chain built for one request. */
export type FallbackChain = ReturnType<typeof createFallbackChain>;
