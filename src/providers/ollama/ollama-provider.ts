/**
 * Ollama: chat through its OpenAI-compatible `/v1`, models from its native `/api/tags`
 * (which lists what is pulled, with sizes and quantisation), health from `/api/version`.
 */
import type { ModelCard } from '../../spec/model-card.js';
import type { CallOptions, Provider } from '../../spec/provider.js';
import {
  createOpenAICompatible,
  type ProviderSettings,
} from '../openai-compatible/openai-compatible-provider.js';
import type { UpstreamContext } from '../openai-compatible/upstream-context.js';
import { malformedResponse } from '../upstream-error.js';

/** Where a local Ollama listens. */
export const ollamaBaseUrl = 'http://127.0.0.1:11434';

/** Creates an Ollama provider. `baseUrl` is Ollama's root, without `/v1`. */
export function createOllama(options: ProviderSettings): Provider {
  // Accept a root given with the `/v1` suffix people copy from OpenAI-client examples.
  const root = (options.baseUrl ?? ollamaBaseUrl).replace(/\/+$/, '').replace(/\/v1$/, '');
  return createOpenAICompatible({
    ...options,
    type: 'ollama',
    baseUrl: `${root}/v1`,
    healthUrl: `${root}/api/version`,
    fetchModels: (context, callOptions) => fetchOllamaTags(root, context, callOptions),
  });
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
