import type { Deadlines } from '../config/config-schema.js';
import { AllModelsFailedError, type Attempt } from '../resilience/all-models-failed.js';
import type { Cooldowns } from '../resilience/cooldowns.js';
import { type ChainMember, createFallbackChain } from '../resilience/fallback-chain.js';
import type { ModelHealth } from '../resilience/model-health.js';
import type { KeyFailure, KeySelection } from '../secrets/key-selection.js';
import type { Preferences } from '../selection/select-models.js';
import type { SessionTracker } from '../sessions/session-tracker.js';
import {
  ApiCallError,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  GatewayError,
  type Usage,
} from '../spec/index.js';
import type { RequestRecord } from '../spec/request-record.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { PlanContext } from './model-planner.js';

/** A model name resolved to the provider model that serves it. */
export type ResolvedModel = ChainMember;

/** What a client's `model` resolves to: the models to try, in order, and how patiently. */
export interface Plan {
  /** The chain, best first; one member for a plain model name. */
  members: ChainMember[];
  /** Deadlines while there is a next member to switch to. */
  deadlines: Deadlines;
  /** Why these models, when selection chose them (the `x-tta-selection` header). */
  explanation?: string;
}

/** Who asks, and how long they are willing to wait. */
export interface ChatContext {
  /** Request id, recorded and forwarded upstream. */
  requestId: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Therapeutic task the request serves, when the client says. */
  task?: string;
  /** Whose vault keys may pay for the call (a user id, or `operator`). */
  owner?: string;
  /** The client's session (`x-tta-session`): keeps the session on a working model. */
  sessionId?: string;
  /** The player's wishes for this request (merged over stored ones) when selection chooses. */
  preferences?: Preferences;
  /** Told the usage of the answer, once known (a user's token and cost budgets). */
  charge?: (usage: Usage, model: string) => void;
}

/** An answer and how it came about. */
export interface Answered {
  /** Public name of the model that answered (the last one, after switches). */
  model: string;
  /** Failed attempts before (or during) the answer. */
  attempts: readonly Attempt[];
  /** How the request was changed to fit the answering model (`context-trimmed:dropped=4`, ...). */
  adaptations: readonly string[];
  /** Why selection chose the chain, when it did. */
  explanation?: string;
}

/** A stream whose first chunk has arrived: the answering model is known. */
export interface StartedStream extends Answered {
  /** Every chunk, the first included, across switches. */
  chunks: AsyncIterable<ChatCompletionChunk>;
}

/** What the dispatcher needs from the rest of the gateway. */
export interface ChatDispatcherDeps {
  /** Maps a client's model name to a plan; throws `ModelNotFoundError`, `NoModelAvailableError`. */
  plan(name: string, context: PlanContext): Promise<Plan>;
  /** Models told to wait (`Retry-After`). */
  cooldowns: Cooldowns;
  /** Breakers and rolling health per model. */
  health?: ModelHealth;
  /** Sessions: pinned model after a switch, switch history. */
  sessions?: SessionTracker;
  /** Where each finished request is recorded (batched; must not block). */
  recorder: { record(entry: RequestRecord): void };
  /** Prometheus instruments. */
  metrics: GatewayMetrics;
  /** Chooses vault keys per caller and provider; without it providers use their configured keys. */
  keys?: KeySelection;
  /** Debug lines about keys and upstream failures (never secrets: the logger scrubs). */
  logger?: Pick<Logger, 'debug'>;
  /** Told when live traffic showed a vault key to be invalid or out of credit. */
  onKeyFailure?: (failure: KeyFailure) => void;
  /** Told about each failed attempt of a chain (a switch, when another model follows). */
  onAttemptFailed?: (attempt: Attempt, context: ChatContext) => void;
  /** Told once a request with failed attempts is over: what failed and who answered (if anyone). */
  onFailover?: (
    attempts: readonly Attempt[],
    answered: string | undefined,
    context: ChatContext,
  ) => void;
  /** Told when recording a session failed (the answer itself is not affected). */
  onSessionError?: (error: unknown) => void;
  /** Clock in milliseconds with sub-millisecond precision. */
  now?: () => number;
}

/** Outcome of one request, for the record and the metrics. */
interface Outcome {
  status: number;
  errorCode?: string;
  usage?: Usage;
  firstTokenMs?: number;
}

/**
 * Sends chat requests along their fallback chain and records every one of them
 * (model, task, latency, first-token time, tokens, cost, status).
 */
export function createChatDispatcher(deps: ChatDispatcherDeps) {
  const now = deps.now ?? performance.now.bind(performance);

  function finish(
    member: ChainMember,
    body: ChatRequest,
    context: ChatContext,
    startedAt: number,
    outcome: Outcome,
  ) {
    const latencyMs = now() - startedAt;
    const stream = body.stream === true;
    const labels = { model: member.name, stream: String(stream) };
    deps.metrics.chatRequests.inc({ ...labels, status: String(outcome.status) });
    deps.metrics.chatLatency.observe(labels, latencyMs / 1000);
    if (outcome.firstTokenMs !== undefined) {
      deps.metrics.firstTokenLatency.observe({ model: member.name }, outcome.firstTokenMs / 1000);
    }
    if (outcome.usage) {
      deps.metrics.tokens.inc({ model: member.name, kind: 'prompt' }, outcome.usage.prompt_tokens);
      deps.metrics.tokens.inc(
        { model: member.name, kind: 'completion' },
        outcome.usage.completion_tokens,
      );
    }
    if (outcome.usage && context.charge) context.charge(outcome.usage, member.name);
    deps.recorder.record({
      id: context.requestId,
      createdAt: Date.now(),
      providerId: member.providerId,
      model: member.name,
      requestedModel: body.model,
      task: context.task ?? null,
      stream,
      status: outcome.status,
      errorCode: outcome.errorCode ?? null,
      latencyMs,
      firstTokenMs: outcome.firstTokenMs ?? null,
      promptTokens: outcome.usage?.prompt_tokens ?? null,
      completionTokens: outcome.usage?.completion_tokens ?? null,
      costUsd: outcome.usage?.cost ?? null,
    });
  }

  /**
   * Records a request refused before any model was chosen: over a user's limit, an unknown
   * model or task, none available. The request log holds every chat request answered,
   * refusals included.
   */
  function refused(body: ChatRequest, context: ChatContext, error: unknown, latencyMs = 0): void {
    const outcome = failure(error, context);
    deps.recorder.record({
      id: context.requestId,
      createdAt: Date.now(),
      providerId: null,
      model: null,
      requestedModel: body.model,
      task: context.task ?? null,
      stream: body.stream === true,
      status: outcome.status,
      errorCode: outcome.errorCode ?? null,
      latencyMs,
      firstTokenMs: null,
      promptTokens: null,
      completionTokens: null,
      costUsd: null,
    });
  }

  /** The chain for a request; a refusal while planning is recorded. */
  async function planned(body: ChatRequest, context: ChatContext) {
    const startedAt = now();
    try {
      return await chainFor(body, context);
    } catch (error) {
      refused(body, context, error, now() - startedAt);
      throw error;
    }
  }

  function failure(error: unknown, context: ChatContext): Outcome {
    if (context.signal.aborted) return { status: 499, errorCode: 'client_closed_request' };
    if (error instanceof GatewayError) return { status: error.status, errorCode: error.code };
    return { status: 500, errorCode: 'internal_error' };
  }

  /**
   * Runs an upstream call with the caller's vault key. When the upstream refuses that
   * key (invalid, out of credit) the key is marked and the call is tried once more with
   * the next usable key, or the provider's own.
   */
  function keyedCall(context: ChatContext) {
    return async <T>(
      member: ChainMember,
      call: (options: CallOptions) => Promise<T>,
      signal: AbortSignal,
    ): Promise<T> => {
      const base: CallOptions = { signal, requestId: context.requestId };
      const owner = context.owner ?? 'operator';
      let key = await deps.keys?.keyFor(owner, member.providerId);
      for (let attempt = 0; ; attempt++) {
        deps.logger?.debug(
          { requestId: context.requestId, model: member.name, keyId: key?.id ?? null, attempt },
          'calling upstream',
        );
        try {
          const result = await call(key ? { ...base, apiKey: key.secret } : base);
          if (key) deps.keys?.reportSuccess(key);
          return result;
        } catch (error) {
          deps.logger?.debug({ requestId: context.requestId, err: error }, 'upstream call failed');
          if (!key || !deps.keys || attempt > 0 || !(error instanceof ApiCallError)) throw error;
          const failure = await deps.keys.reportFailure(key, member.providerId, error);
          if (!failure) throw error;
          deps.onKeyFailure?.(failure);
          key = await deps.keys.keyFor(owner, member.providerId);
        }
      }
    };
  }

  async function chainFor(body: ChatRequest, context: ChatContext) {
    const plan = await deps.plan(body.model, {
      owner: context.owner ?? 'operator',
      ...(context.task === undefined ? {} : { task: context.task }),
      ...(context.preferences === undefined ? {} : { preferences: context.preferences }),
    });
    const turn =
      context.sessionId && deps.sessions
        ? {
            sessionId: context.sessionId,
            owner: context.owner ?? 'operator',
            requestedModel: body.model,
          }
        : undefined;
    const members =
      turn && deps.sessions ? await deps.sessions.arrange(turn, plan.members) : plan.members;
    const chain = createFallbackChain(members, plan.deadlines, {
      cooldowns: deps.cooldowns,
      call: keyedCall(context),
      ...(deps.health ? { health: deps.health } : {}),
      onAttemptFailed: (attempt) => {
        // Every failed upstream call counts, those a fallback hid from the player too; a
        // model skipped by its open breaker was not called.
        if (attempt.code !== 'circuit_open') {
          const provider = members.find((member) => member.name === attempt.model)?.providerId;
          deps.metrics.upstreamErrors.inc({ provider: provider ?? 'unknown', code: attempt.code });
        }
        deps.onAttemptFailed?.(attempt, context);
      },
      now,
    });
    /** Updates the session after the turn (never fails the turn). */
    const recordTurn = (answered: string | undefined, attempts: readonly Attempt[]) => {
      if (attempts.length > 0) deps.onFailover?.(attempts, answered, context);
      const sessions = deps.sessions;
      if (!turn || !sessions) return;
      const preferred = plan.members[0]?.name ?? body.model;
      // Once the answer (or the stream's end) is written: a database write must not delay it.
      setImmediate(() => {
        sessions
          .record(turn, preferred, answered, attempts)
          .catch((error: unknown) => deps.onSessionError?.(error));
      });
    };
    return { plan, chain, recordTurn };
  }

  return {
    /** Records a request the caller refused before dispatching it (a user over a limit). */
    refused,

    /** One complete answer along the chain the name resolves to. */
    async complete(
      body: ChatRequest,
      context: ChatContext,
    ): Promise<Answered & { completion: ChatCompletion }> {
      const { plan, chain, recordTurn } = await planned(body, context);
      const startedAt = now();
      try {
        const { member, completion, attempts, adaptations } = await chain.generate(
          body,
          context.signal,
        );
        finish(member, body, context, startedAt, {
          status: 200,
          ...(completion.usage ? { usage: completion.usage } : {}),
        });
        recordTurn(member.name, attempts);
        return {
          model: member.name,
          completion,
          attempts,
          adaptations,
          ...(plan.explanation ? { explanation: plan.explanation } : {}),
        };
      } catch (error) {
        finish(plan.members[0] as ChainMember, body, context, startedAt, failure(error, context));
        recordTurn(undefined, error instanceof AllModelsFailedError ? error.attempts : []);
        throw error;
      }
    },

    /**
     * Starts a stream and resolves once its first chunk arrived, so failures before
     * any content still get a proper HTTP error status. Usage is always asked of the
     * upstream (for the record); the usage chunk reaches the client only if it asked.
     */
    async stream(body: ChatRequest, context: ChatContext): Promise<StartedStream> {
      const { plan, chain, recordTurn } = await planned(body, context);
      const startedAt = now();
      const clientWantsUsage = body.stream_options?.include_usage === true;
      const upstreamRequest: ChatRequest = {
        ...body,
        stream: true,
        stream_options: { ...body.stream_options, include_usage: true },
      };
      let started: Awaited<ReturnType<typeof chain.stream>>;
      try {
        started = await chain.stream(upstreamRequest, context.signal);
      } catch (error) {
        finish(plan.members[0] as ChainMember, body, context, startedAt, failure(error, context));
        recordTurn(undefined, error instanceof AllModelsFailedError ? error.attempts : []);
        throw error;
      }
      const firstTokenMs = now() - startedAt;
      const iterator = started.chunks[Symbol.asyncIterator]();

      async function* relay(): AsyncGenerator<ChatCompletionChunk> {
        const outcome: Outcome = { status: 200, firstTokenMs };
        let result: IteratorResult<ChatCompletionChunk> | undefined;
        try {
          for (;;) {
            result = await iterator.next();
            if (result.done) break;
            const chunk = result.value;
            if (chunk.usage) outcome.usage = chunk.usage;
            const usageOnly = chunk.choices.length === 0 && chunk.usage;
            if (!usageOnly || clientWantsUsage) yield chunk;
          }
        } catch (error) {
          Object.assign(outcome, failure(error, context));
          throw error;
        } finally {
          // The client left early: stop reading the upstream, which aborts it.
          if (result?.done !== true) {
            if (outcome.status === 200) Object.assign(outcome, failure(undefined, context));
            await iterator.return?.(undefined);
          }
          finish(started.answering(), body, context, startedAt, outcome);
          recordTurn(
            outcome.status === 200 ? started.answering().name : undefined,
            started.attempts,
          );
        }
      }
      return {
        model: started.member.name,
        attempts: started.attempts,
        adaptations: started.adaptations,
        ...(plan.explanation ? { explanation: plan.explanation } : {}),
        chunks: relay(),
      };
    },
  };
}

/** The chat entry point of a gateway. */
export type ChatDispatcher = ReturnType<typeof createChatDispatcher>;
