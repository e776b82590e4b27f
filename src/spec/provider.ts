import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from './chat.js';
import type { HealthReport, ModelCard } from './model-card.js';

/** Per-call options every provider honours. */
export interface CallOptions {
  /** Aborts the upstream call (client disconnect, deadline). */
  signal?: AbortSignal;
  /** Request id forwarded to the upstream for tracing. */
  requestId?: string;
  /** A key to use instead of the provider's own (a user's key from the vault). */
  apiKey?: string;
}

/**
 * One model of one provider. `generate` answers in one piece; `stream` yields
 * OpenAI-shaped chunks and throws an `ApiCallError` when the upstream fails,
 * before or after the first chunk.
 */
export interface ChatModel {
  /** Configured provider id. */
  readonly providerId: string;
  /** The provider's own model id. */
  readonly modelId: string;
  /** One complete answer. */
  generate(request: ChatRequest, options?: CallOptions): Promise<ChatCompletion>;
  /** The answer as a stream of chunks. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatCompletionChunk>;
}

/** The provider types a config may name. The registry in `providers/` implements each. */
export type ProviderType = 'openai-compatible' | 'openrouter' | 'ollama' | 'anthropic' | 'embedded';

/** A configured upstream: lists its models, checks its health, and hands out models. */
export interface Provider {
  /** Configured id; models are addressed as `<id>/<modelId>`. */
  readonly id: string;
  /** Which implementation serves it. */
  readonly type: ProviderType;
  /** The models it serves (from the upstream, or from the config for those that cannot list). */
  listModels(options?: CallOptions): Promise<ModelCard[]>;
  /** A cheap authenticated check that the upstream answers. Never throws. */
  health(options?: CallOptions): Promise<HealthReport>;
  /** A handle on one of its models; no I/O happens until it is called. */
  model(modelId: string): ChatModel;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
