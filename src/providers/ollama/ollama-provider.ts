/**
 * Ollama: chat through its OpenAI-compatible `/v1`, models from its native `/api/tags`
 * (which lists what is pulled, with sizes and quantisation), health from `/api/version`.
 */
import type { LocalProvider, LocalProviderHooks } from '../../spec/local-model.js';
import type { ModelCard } from '../../spec/model-card.js';
import type { CallOptions, ChatModel } from '../../spec/provider.js';
import { createHttpClient } from '../http-client.js';
import { createOpenAICompatibleChatModel } from '../openai-compatible/openai-compatible-chat-model.js';
import {
  createOpenAICompatible,
  type ProviderSettings,
} from '../openai-compatible/openai-compatible-provider.js';
import type { UpstreamContext } from '../openai-compatible/upstream-context.js';
import { malformedResponse } from '../upstream-error.js';
import { createOllamaLocalModels } from './ollama-local-models.js';

/** Where a local Ollama listens. */
export const ollamaBaseUrl = 'http://127.0.0.1:11434';

/**
 * Creates an Ollama provider. `baseUrl` is Ollama's root, without `/v1`. Its `local`
 * side manages models (list with details, loaded models, pull, unload); with `local`
 * hooks, a chat asks admission control before it would make Ollama load a model.
 */
export function createOllama(
  options: ProviderSettings & { local?: LocalProviderHooks },
): LocalProvider {
  // Accept a root given with the `/v1` suffix people copy from OpenAI-client examples.
  const root = (options.baseUrl ?? ollamaBaseUrl).replace(/\/+$/, '').replace(/\/v1$/, '');
  const native = createHttpClient({
    providerId: options.id,
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    headers: (override) => {
      const apiKey =
        override ?? (typeof options.apiKey === 'function' ? options.apiKey() : options.apiKey);
      const auth: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
      return { accept: 'application/json, application/x-ndjson', ...options.headers, ...auth };
    },
  });
  const local = createOllamaLocalModels({
    providerId: options.id,
    root,
    http: native,
    ...(options.local ? { hooks: options.local } : {}),
  });
  const provider = createOpenAICompatible({
    ...options,
    type: 'ollama',
    baseUrl: `${root}/v1`,
    healthUrl: `${root}/api/version`,
    fetchModels: (context, callOptions) => fetchOllamaTags(root, context, callOptions),
    createChatModel: (modelId, context): ChatModel => {
      const model = createOpenAICompatibleChatModel(modelId, context);
      if (!options.local?.admit) return model;
      return {
        ...model,
        async generate(request, callOptions = {}) {
          await local.admitBeforeChat(modelId, callOptions);
          return model.generate(request, callOptions);
        },
        async *stream(request, callOptions = {}) {
          await local.admitBeforeChat(modelId, callOptions);
          yield* model.stream(request, callOptions);
        },
      };
    },
  });
  return {
    ...provider,
    local,
    async close() {
      await provider.close();
      await native.close();
    },
  };
}

/** `GET /api/tags`: the pulled models. */
async function fetchOllamaTags(
  root: string,
  context: UpstreamContext,
  options: CallOptions,
): Promise<ModelCard[]> {
  const answer = (await context.http.getJson(`${root}/api/tags`, options)) as {
    models?: unknown;
  } | null;
  if (!Array.isArray(answer?.models))
    throw malformedResponse(context.providerId, 'tag list (no models array)');
  const cards: ModelCard[] = [];
  for (const entry of answer.models as Array<Record<string, unknown>>) {
    const id = entry?.model ?? entry?.name;
    if (typeof id !== 'string') continue;
    const card: ModelCard = { id, providerId: context.providerId, name: id };
    const modified =
      typeof entry.modified_at === 'string' ? Date.parse(entry.modified_at) : Number.NaN;
    if (!Number.isNaN(modified)) card.created = Math.floor(modified / 1000);
    cards.push(card);
  }
  return cards;
}
