/**
 * Anthropic: the provider core with `x-api-key` auth, the `anthropic-version` header, a
 * paged model list, and chat through the Messages API mapped to and from OpenAI's shape.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../spec/chat.js';
import type { ModelCard } from '../../spec/model-card.js';
import type { CallOptions, ChatModel, Provider } from '../../spec/provider.js';
import {
  createOpenAICompatible,
  type ProviderSettings,
} from '../openai-compatible/openai-compatible-provider.js';
import type { UpstreamContext } from '../openai-compatible/upstream-context.js';
import { parseSse } from '../sse.js';
import { malformedResponse } from '../upstream-error.js';
import { toAnthropicRequest } from './anthropic-request.js';
import {
  type AnthropicMessageResponse,
  anthropicError,
  fromAnthropicMessage,
} from './anthropic-response.js';
import { anthropicChunks } from './anthropic-stream.js';

/** Anthropic's API. */
export const anthropicBaseUrl = 'https://api.anthropic.com/v1';

/** Options of {@link createAnthropic}. */
export interface AnthropicOptions extends ProviderSettings {
  /** `anthropic-version` header (default `2023-06-01`). */
  version?: string;
  /** `max_tokens` when the request names none; Anthropic requires one (default 4096). */
  defaultMaxTokens?: number;
}

/** Creates an Anthropic provider. */
export function createAnthropic(options: AnthropicOptions): Provider {
  const defaultMaxTokens = options.defaultMaxTokens ?? 4096;
  return createOpenAICompatible({
    ...options,
    type: 'anthropic',
    baseUrl: options.baseUrl ?? anthropicBaseUrl,
    headers: { 'anthropic-version': options.version ?? '2023-06-01', ...options.headers },
    authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
    fetchModels: (context, callOptions) => fetchAnthropicModels(context, callOptions),
    createChatModel: (modelId, context) =>
      createAnthropicChatModel(modelId, context, defaultMaxTokens),
  });
}

/** A model behind `POST {baseUrl}/messages`. */
export function createAnthropicChatModel(
  modelId: string,
  context: UpstreamContext,
  defaultMaxTokens: number,
): ChatModel {
  const { providerId, http } = context;
  const url = `${context.baseUrl}/messages`;
  const now = (): number => Math.floor(Date.now() / 1000);

  async function generate(
    request: ChatRequest,
    options: CallOptions = {},
  ): Promise<ChatCompletion> {
    const body = toAnthropicRequest({ ...request, stream: false }, modelId, defaultMaxTokens);
    const answer = (await http.postJson(
      url,
      body,
      options,
    )) as Partial<AnthropicMessageResponse> & {
      error?: { type?: unknown; message?: unknown };
    };
    if (answer?.type === ('error' as string)) throw anthropicError(providerId, answer.error);
    if (answer?.type !== 'message' || !Array.isArray(answer.content)) {
      throw malformedResponse(providerId, 'message (no content)');
    }
    return fromAnthropicMessage(answer as AnthropicMessageResponse, now());
  }

  async function* stream(
    request: ChatRequest,
    options: CallOptions = {},
  ): AsyncGenerator<ChatCompletionChunk> {
    const body = toAnthropicRequest({ ...request, stream: true }, modelId, defaultMaxTokens);
    const bytes = await http.postStream(url, body, options);
    const includeUsage = request.stream_options?.include_usage === true;
    yield* anthropicChunks(parseSse(bytes), { providerId, includeUsage, created: now() });
  }

  return { providerId, modelId, generate, stream };
}

/** `GET {baseUrl}/models`, following Anthropic's `after_id` cursor through every page. */
export async function fetchAnthropicModels(
  context: UpstreamContext,
  options: CallOptions,
  pageSize = 1000,
): Promise<ModelCard[]> {
  const cards: ModelCard[] = [];
  let afterId: string | undefined;
  // Bounded, so a server that always says has_more cannot keep us here.
  for (let page = 0; page < 100; page++) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (afterId !== undefined) query.set('after_id', afterId);
    const answer = (await context.http.getJson(`${context.baseUrl}/models?${query}`, options)) as {
      data?: unknown;
      has_more?: unknown;
      last_id?: unknown;
    } | null;
    if (!Array.isArray(answer?.data))
      throw malformedResponse(context.providerId, 'model list (no data array)');
    for (const entry of answer.data as Array<Record<string, unknown>>) {
      if (typeof entry?.id !== 'string') continue;
      const card: ModelCard = { id: entry.id, providerId: context.providerId };
      if (typeof entry.display_name === 'string') card.name = entry.display_name;
      const created =
        typeof entry.created_at === 'string' ? Date.parse(entry.created_at) : Number.NaN;
      if (!Number.isNaN(created)) card.created = Math.floor(created / 1000);
      cards.push(card);
    }
    if (answer.has_more !== true || typeof answer.last_id !== 'string') break;
    afterId = answer.last_id;
  }
  return cards;
}
