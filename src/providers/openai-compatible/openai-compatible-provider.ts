/**
 * The one provider core. Out of the box it serves any OpenAI-compatible upstream
 * (OpenAI, llama.cpp server, LM Studio, vLLM); variants (OpenRouter, Ollama, Anthropic)
 * change it through options and hooks, never by copying it.
 */
import type { Dispatcher } from 'undici';
import type { HealthReport, ModelCard } from '../../spec/model-card.js';
import type { CallOptions, ChatModel, Provider, ProviderType } from '../../spec/provider.js';
import { createHttpClient } from '../http-client.js';
import { malformedResponse } from '../upstream-error.js';
import { createOpenAICompatibleChatModel } from './openai-compatible-chat-model.js';
import type { UpstreamContext } from './upstream-context.js';

/** What every provider factory accepts (the config's provider entry, plus injected I/O). */
export interface ProviderSettings {
  /** Configured provider id. */
  id: string;
  /** Upstream base URL; each variant has a default. */
  baseUrl?: string;
  /** API key, or a function read per request (so a vault can rotate it). */
  apiKey?: string | (() => string | undefined);
  /** Extra headers for every request; they override a variant's defaults. */
  headers?: Record<string, string>;
  /** Model ids to serve: restricts the upstream list, and stands in when it cannot be listed. */
  models?: string[];
  /** Whole non-streamed call, or time to the first streamed byte, in milliseconds (default 120 s). */
  timeoutMs?: number;
  /** Shared connection pool (the provider makes and closes its own otherwise). */
  dispatcher?: Dispatcher;
}

/** Options of {@link createOpenAICompatible}: settings plus the hooks variants use. */
export interface OpenAICompatibleOptions extends ProviderSettings {
  baseUrl: string;
  /** Type reported by the provider (default `openai-compatible`). */
  type?: ProviderType;
  /** Headers carrying the API key (default `Authorization: Bearer <key>`). */
  authHeaders?: (apiKey: string) => Record<string, string>;
  /** Lists the upstream's models (default `GET {baseUrl}/models`, OpenAI's shape). */
  fetchModels?: (context: UpstreamContext, options: CallOptions) => Promise<ModelCard[]>;
  /** What the health check GETs (default `{baseUrl}/models`). */
  healthUrl?: string;
  /** Builds a chat model (default OpenAI chat completions). */
  createChatModel?: (modelId: string, context: UpstreamContext) => ChatModel;
}

/** Default upstream timeout. Generous: a local model may load before its first token. */
const defaultTimeoutMs = 120_000;
/** A health check is cheap; it should not wait as long as a generation. */
const healthTimeoutMs = 10_000;

/** Creates a provider for an OpenAI-compatible upstream. */
export function createOpenAICompatible(options: OpenAICompatibleOptions): Provider {
  const providerId = options.id;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const authHeaders = options.authHeaders ?? ((apiKey) => ({ authorization: `Bearer ${apiKey}` }));
  const http = createHttpClient({
    providerId,
    timeoutMs,
    dispatcher: options.dispatcher,
    headers: (override) => {
      const apiKey =
        override ?? (typeof options.apiKey === 'function' ? options.apiKey() : options.apiKey);
      const auth = apiKey === undefined || apiKey === '' ? {} : authHeaders(apiKey);
      return { accept: 'application/json, text/event-stream', ...options.headers, ...auth };
    },
  });
  const context: UpstreamContext = { providerId, baseUrl, http };
  const fetchModels = options.fetchModels ?? fetchOpenAIModels;
  const createChatModel = options.createChatModel ?? createOpenAICompatibleChatModel;
  const healthUrl = options.healthUrl ?? `${baseUrl}/models`;

  async function listModels(callOptions: CallOptions = {}): Promise<ModelCard[]> {
    const configured = options.models;
    if (configured === undefined || configured.length === 0)
      return fetchModels(context, callOptions);
    let listed: ModelCard[] = [];
    try {
      listed = await fetchModels(context, callOptions);
    } catch (error) {
      // The configured list stands in for upstreams that cannot list, unless the caller gave up.
      if (callOptions.signal?.aborted) throw error;
    }
    const byId = new Map(listed.map((card) => [card.id, card]));
    return configured.map((id) => byId.get(id) ?? { id, providerId });
  }

  async function health(callOptions: CallOptions = {}): Promise<HealthReport> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      await http.getJson(healthUrl, {
        ...callOptions,
        timeoutMs: Math.min(timeoutMs, healthTimeoutMs),
      });
      return { ok: true, latencyMs: latency() };
    } catch (error) {
      // Messages from the HTTP client are already free of secrets.
      return {
        ok: false,
        latencyMs: latency(),
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  return {
    id: providerId,
    type: options.type ?? 'openai-compatible',
    listModels,
    health,
    model: (modelId) => createChatModel(modelId, context),
    close: () => http.close(),
  };
}

/** `GET {baseUrl}/models` in OpenAI's shape, reading the extras OpenRouter and vLLM add. */
export async function fetchOpenAIModels(
  context: UpstreamContext,
  options: CallOptions,
): Promise<ModelCard[]> {
  const answer = (await context.http.getJson(`${context.baseUrl}/models`, options)) as {
    data?: unknown;
  } | null;
  if (!Array.isArray(answer?.data))
    throw malformedResponse(context.providerId, 'model list (no data array)');
  const cards: ModelCard[] = [];
  for (const entry of answer.data as Array<Record<string, unknown>>) {
    if (typeof entry?.id !== 'string') continue;
    const card: ModelCard = { id: entry.id, providerId: context.providerId };
    if (typeof entry.name === 'string') card.name = entry.name;
    // OpenRouter says context_length; vLLM says max_model_len.
    const contextLength = entry.context_length ?? entry.max_model_len;
    if (typeof contextLength === 'number') card.contextLength = contextLength;
    if (typeof entry.owned_by === 'string') card.ownedBy = entry.owned_by;
    if (typeof entry.created === 'number') card.created = entry.created;
    cards.push(card);
  }
  return cards;
}
