/**
 * A GGUF model answering in-process: each request borrows a context sequence from the
 * pool, generates with node-llama-cpp's `LlamaChat`, and hands OpenAI-shaped chunks on.
 */
import { randomUUID } from 'node:crypto';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  FinishReason,
  Usage,
} from '../../spec/chat.js';
import { GatewayError } from '../../spec/errors.js';
import type { CallOptions, ChatModel } from '../../spec/provider.js';
import { toChatHistory } from './chat-history.js';
import type { LlamaRuntime } from './llama-runtime.js';
import type { ModelPool } from './model-pool.js';

/** What a chat model needs from its provider. */
export interface EmbeddedChatModelContext {
  providerId: string;
  runtime: LlamaRuntime;
  pool: ModelPool;
  /** The model file's path; throws `ModelNotFoundError` when there is none. */
  pathOf(modelId: string): Promise<string>;
}

/** A piece of an answer: text, or the end with its reason and token counts. */
type Piece = { text: string } | { finishReason: FinishReason; usage: Usage };

/** Creates the chat model `modelId` of an embedded provider. */
export function createEmbeddedChatModel(
  modelId: string,
  context: EmbeddedChatModelContext,
): ChatModel {
  const { providerId } = context;

  async function* generatePieces(
    request: ChatRequest,
    options: CallOptions,
  ): AsyncGenerator<Piece> {
    const history = toChatHistory(request);
    const lease = await context.pool.acquire(
      modelId,
      await context.pathOf(modelId),
      options.signal,
    );
    const { LlamaChat } = await context.runtime.module();
    const chat = new LlamaChat({ contextSequence: lease.sequence, autoDisposeSequence: false });
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const meterBefore = lease.sequence.tokenMeter.getState();
    const channel = createChannel<string>();
    const stopStrings = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? []);
    const maxTokens = request.max_completion_tokens ?? request.max_tokens;
    const generation = chat.generateResponse(history, {
      signal,
      onTextChunk: (text) => channel.push(text),
      // A model that never says its end-of-text token stops at one context's worth.
      maxTokens: maxTokens ?? lease.sequence.contextSize,
      ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
      ...(typeof request.top_p === 'number' ? { topP: request.top_p } : {}),
      ...(typeof request.seed === 'number' ? { seed: request.seed } : {}),
      ...(stopStrings.length > 0 ? { customStopTriggers: stopStrings } : {}),
    });
    generation.then(
      () => channel.close(),
      (error: unknown) => channel.fail(error),
    );
    try {
      for await (const text of channel) if (text !== '') yield { text };
      const result = await generation;
      const used = lease.sequence.tokenMeter.diff(meterBefore);
      const completionTokens = used.usedOutputTokens;
      // Tokens in the context now, less those generated: the whole prompt, cached prefix included.
      const promptTokens = Math.max(
        used.usedInputTokens,
        lease.sequence.nextTokenIndex - completionTokens,
      );
      yield {
        finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      throw generationFailed(providerId, modelId, error);
    } finally {
      stop.abort();
      await generation.catch(() => undefined);
      chat.dispose({ disposeSequence: false });
      lease.release();
    }
  }

  async function generate(
    request: ChatRequest,
    options: CallOptions = {},
  ): Promise<ChatCompletion> {
    const id = `chatcmpl-${randomUUID()}`;
    let content = '';
    let end: Extract<Piece, { finishReason: FinishReason }> | undefined;
    for await (const piece of generatePieces(request, options)) {
      if ('text' in piece) content += piece.text;
      else end = piece;
    }
    return {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content },
          finish_reason: end?.finishReason ?? 'stop',
        },
      ],
      ...(end ? { usage: end.usage } : {}),
    };
  }

  async function* stream(
    request: ChatRequest,
    options: CallOptions = {},
  ): AsyncGenerator<ChatCompletionChunk> {
    const base = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion.chunk' as const,
      created: Math.floor(Date.now() / 1000),
      model: modelId,
    };
    let first = true;
    for await (const piece of generatePieces(request, options)) {
      if ('text' in piece) {
        const delta = first
          ? { role: 'assistant' as const, content: piece.text }
          : { content: piece.text };
        first = false;
        yield { ...base, choices: [{ index: 0, delta, finish_reason: null }] };
        continue;
      }
      yield {
        ...base,
        choices: [
          {
            index: 0,
            delta: first ? { role: 'assistant', content: '' } : {},
            finish_reason: piece.finishReason,
          },
        ],
      };
      if (request.stream_options?.include_usage === true)
        yield { ...base, choices: [], usage: piece.usage };
    }
  }

  return { providerId, modelId, generate, stream };
}

function generationFailed(providerId: string, modelId: string, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayError(`${providerId}/${modelId} failed while generating: ${reason}`, {
    status: 500,
    type: 'server_error',
    code: 'local_generation_failed',
    cause: error,
  });
}

/** A one-reader queue between node-llama-cpp's callback and an async iterator. */
function createChannel<T>() {
  const buffered: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  return {
    push(value: T) {
      buffered.push(value);
      notify();
    },
    close() {
      ended = true;
      notify();
    },
    fail(error: unknown) {
      failure = { error };
      notify();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        if (buffered.length > 0) {
          yield buffered.shift() as T;
          continue;
        }
        if (failure) throw failure.error;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
