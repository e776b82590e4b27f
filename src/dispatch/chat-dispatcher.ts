import type { KeyFailure, KeySelection } from '../secrets/key-selection.js';
import {
  ApiCallError,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatModel,
  type ChatRequest,
  GatewayError,
  type Usage,
} from '../spec/index.js';
import type { RequestRecord } from '../spec/request-record.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';

/** A model name resolved to the provider model that serves it. */
export interface ResolvedModel {
  /** The public name, `<providerId>/<modelId>`. */
  name: string;
  /** Configured provider id. */
  providerId: string;
  /** The provider's model handle. */
  model: ChatModel;
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
}

/** A stream whose first chunk has arrived: the answering model is known. */
export interface StartedStream {
  /** Public name of the model that answers. */
  model: string;
  /** Every chunk, the first included. */
  chunks: AsyncIterable<ChatCompletionChunk>;
}

/** What the dispatcher needs from the rest of the gateway. */
export interface ChatDispatcherDeps {
  /** Maps a client's model name to a provider model; throws `ModelNotFoundError`. */
  resolve(name: string): ResolvedModel;
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
 * Sends chat requests to the model they name and records every one of them
 * (model, task, latency, first-token time, tokens, cost, status).
 */
export function createChatDispatcher(deps: ChatDispatcherDeps) {
  const now = deps.now ?? performance.now.bind(performance);

  function finish(
    target: ResolvedModel,
    body: ChatRequest,
    context: ChatContext,
    startedAt: number,
    outcome: Outcome,
  ) {
    const latencyMs = now() - startedAt;
    const stream = body.stream === true;
    const labels = { model: target.name, stream: String(stream) };
    deps.metrics.chatRequests.inc({ ...labels, status: String(outcome.status) });
    deps.metrics.chatLatency.observe(labels, latencyMs / 1000);
    if (outcome.firstTokenMs !== undefined) {
      deps.metrics.firstTokenLatency.observe({ model: target.name }, outcome.firstTokenMs / 1000);
    }
    if (outcome.usage) {
      deps.metrics.tokens.inc({ model: target.name, kind: 'prompt' }, outcome.usage.prompt_tokens);
      deps.metrics.tokens.inc(
        { model: target.name, kind: 'completion' },
        outcome.usage.completion_tokens,
      );
    }
    if (outcome.errorCode && outcome.status >= 500) {
      deps.metrics.upstreamErrors.inc({ provider: target.providerId, code: outcome.errorCode });
    }
    deps.recorder.record({
      id: context.requestId,
      createdAt: Date.now(),
      providerId: target.providerId,
      model: target.name,
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
  async function withKey<T>(
    target: ResolvedModel,
    context: ChatContext,
    call: (options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const base: CallOptions = { signal: context.signal, requestId: context.requestId };
    const owner = context.owner ?? 'operator';
    let key = await deps.keys?.keyFor(owner, target.providerId);
    for (let attempt = 0; ; attempt++) {
      deps.logger?.debug(
        {
          requestId: context.requestId,
          provider: target.providerId,
          keyId: key?.id ?? null,
          attempt,
        },
        'calling upstream',
      );
      try {
        const result = await call(key ? { ...base, apiKey: key.secret } : base);
        if (key) deps.keys?.reportSuccess(key);
        return result;
      } catch (error) {
        deps.logger?.debug({ requestId: context.requestId, err: error }, 'upstream call failed');
        if (!key || !deps.keys || attempt > 0 || !(error instanceof ApiCallError)) throw error;
        const failure = await deps.keys.reportFailure(key, target.providerId, error);
        if (!failure) throw error;
        deps.onKeyFailure?.(failure);
        key = await deps.keys.keyFor(owner, target.providerId);
      }
    }
  }

  return {
    /** One complete answer from the named model. */
    async complete(
      body: ChatRequest,
      context: ChatContext,
    ): Promise<{ model: string; completion: ChatCompletion }> {
      const target = deps.resolve(body.model);
      const startedAt = now();
      try {
        const completion = await withKey(target, context, (options) =>
          target.model.generate({ ...body, model: target.model.modelId }, options),
        );
        finish(target, body, context, startedAt, {
          status: 200,
          ...(completion.usage ? { usage: completion.usage } : {}),
        });
        return { model: target.name, completion };
      } catch (error) {
        finish(target, body, context, startedAt, failure(error, context));
        throw error;
      }
    },

    /**
     * Starts a stream and resolves once its first chunk arrived, so failures before
     * any content still get a proper HTTP error status. Usage is always asked of the
     * upstream (for the record); the usage chunk reaches the client only if it asked.
     */
    async stream(body: ChatRequest, context: ChatContext): Promise<StartedStream> {
      const target = deps.resolve(body.model);
      const startedAt = now();
      const clientWantsUsage = body.stream_options?.include_usage === true;
      const upstreamRequest: ChatRequest = {
        ...body,
        model: target.model.modelId,
        stream: true,
        stream_options: { ...body.stream_options, include_usage: true },
      };
      let upstream: AsyncIterator<ChatCompletionChunk>;
      let first: IteratorResult<ChatCompletionChunk>;
      try {
        ({ upstream, first } = await withKey(target, context, async (options) => {
          const iterator = target.model.stream(upstreamRequest, options)[Symbol.asyncIterator]();
          return { upstream: iterator, first: await iterator.next() };
        }));
      } catch (error) {
        finish(target, body, context, startedAt, failure(error, context));
        throw error;
      }
      const firstTokenMs = now() - startedAt;

      async function* relay(): AsyncGenerator<ChatCompletionChunk> {
        const outcome: Outcome = { status: 200, firstTokenMs };
        let result = first;
        try {
          while (!result.done) {
            const chunk = result.value;
            if (chunk.usage) outcome.usage = chunk.usage;
            const usageOnly = chunk.choices.length === 0 && chunk.usage;
            if (!usageOnly || clientWantsUsage) yield chunk;
            result = await upstream.next();
          }
        } catch (error) {
          Object.assign(outcome, failure(error, context));
          throw error;
        } finally {
          // The client left early: stop reading the upstream, which aborts it.
          if (!result.done) {
            if (outcome.status === 200) Object.assign(outcome, failure(undefined, context));
            await upstream.return?.();
          }
          finish(target, body, context, startedAt, outcome);
        }
      }
      return { model: target.name, chunks: relay() };
    },
  };
}

/** The chat entry point of a gateway. */
export type ChatDispatcher = ReturnType<typeof createChatDispatcher>;
