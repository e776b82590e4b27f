/**
 * The OpenAI chat-completions wire format, as OpenAI, OpenRouter and Ollama's `/v1` speak
 * it: JSON answers, SSE chunks ending in `data: [DONE]`, an optional usage chunk with empty
 * choices, model lists and `{ error: { message, type, code } }` bodies.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type FakeAnswer,
  type FakeModel,
  type FlavorWire,
  fakeCreated,
  presentedKey,
  replyText,
  requestedModel,
  splitText,
  sseFrame,
  type WireRequest,
  type WireRoute,
} from './fake-wire.js';

/** How the OpenAI-style flavors differ. */
interface OpenAIDialect {
  /** Report `usage.cost` (OpenRouter does). */
  includeCost: boolean;
  /** An SSE comment sent first (OpenRouter sends keep-alive comments). */
  leadingComment?: string;
}

/** The usage object of a reply. */
function usageOf(request: WireRequest, dialect: OpenAIDialect): Record<string, number> {
  const { promptTokens, completionTokens, cost } = request.reply;
  const usage: Record<string, number> = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (dialect.includeCost) usage.cost = cost;
  return usage;
}

/** Tool calls in the OpenAI shape. */
function toolCallsOf(request: WireRequest): Array<Record<string, unknown>> {
  return request.reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

/** Answers `POST /chat/completions`, streamed or not. */
export function openAIChatAnswer(request: WireRequest, dialect: OpenAIDialect): FakeAnswer {
  const id = `chatcmpl-fake-${request.sequence}`;
  const model = request.reply.model ?? requestedModel(request);
  const text = replyText(request);
  const toolCalls = toolCallsOf(request);
  const { finishReason } = request.reply;
  if (request.body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return {
      kind: 'json',
      status: 200,
      body: {
        id,
        object: 'chat.completion',
        created: fakeCreated,
        model,
        choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
        usage: usageOf(request, dialect),
      },
    };
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    sseFrame({
      id,
      object: 'chat.completion.chunk',
      created: fakeCreated,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  const frames: string[] = [];
  if (dialect.leadingComment !== undefined) frames.push(`: ${dialect.leadingComment}\n\n`);
  frames.push(chunk({ role: 'assistant', content: '' }));
  for (const piece of splitText(text, request.reply.chunks)) frames.push(chunk({ content: piece }));
  toolCalls.forEach((call, index) => {
    frames.push(chunk({ tool_calls: [{ index, ...call }] }));
  });
  frames.push(chunk({}, finishReason));
  const streamOptions = request.body.stream_options as { include_usage?: unknown } | undefined;
  if (streamOptions?.include_usage === true) {
    frames.push(
      sseFrame({
        id,
        object: 'chat.completion.chunk',
        created: fakeCreated,
        model,
        choices: [],
        usage: usageOf(request, dialect),
      }),
    );
  }
  frames.push('data: [DONE]\n\n');
  return { kind: 'sse', frames };
}

/** Answers `GET /models` with `{ object: 'list', data }`; `extra` adds flavor fields per model. */
export function openAIModelsAnswer(
  request: WireRequest,
  extra: (model: FakeModel) => Record<string, unknown> = () => ({}),
): FakeAnswer {
  const data = request.models.map((model) => ({
    id: model.id,
    object: 'model',
    created: fakeCreated,
    owned_by: model.ownedBy ?? 'fake-upstream',
    ...extra(model),
  }));
  return { kind: 'json', status: 200, body: { object: 'list', data } };
}

/** OpenAI's error body for a status. */
export function openAIErrorAnswer(status: number, message: string): FakeAnswer & { kind: 'json' } {
  const [type, code] =
    status === 401
      ? ['invalid_request_error', 'invalid_api_key']
      : status === 404
        ? ['invalid_request_error', 'model_not_found']
        : status === 429
          ? ['requests', 'rate_limit_exceeded']
          : status >= 500
            ? ['server_error', null]
            : ['invalid_request_error', null];
  return { kind: 'json', status, body: { error: { message, type, param: null, code } } };
}

/**
 * Checks `Authorization: Bearer <key>`. Like OpenAI, the error echoes the key it got, so
 * tests can prove the gateway never passes that on.
 */
export function checkBearer(
  headers: IncomingHttpHeaders,
  expectedKey: string,
): FakeAnswer | undefined {
  const given = headers.authorization?.replace(/^Bearer\s+/i, '');
  if (given === expectedKey) return undefined;
  return openAIErrorAnswer(401, `Incorrect API key provided: ${given ?? '(none)'}.`);
}

/**
 * Answers OpenRouter's `GET /api/v1/key`: the calling key's limit, usage, free tier and
 * rate limit. Like the real API, its `label` shows the start and end of the key.
 */
export function openRouterKeyAnswer(request: WireRequest): FakeAnswer {
  const { keyInfo } = request.reply;
  const given = presentedKey(request.headers) ?? '';
  return {
    kind: 'json',
    status: 200,
    body: {
      data: {
        label: given.length > 15 ? `${given.slice(0, 12)}...${given.slice(-3)}` : 'key',
        limit: keyInfo.limit,
        usage: keyInfo.usage,
        limit_remaining: keyInfo.limit === null ? null : keyInfo.limit - keyInfo.usage,
        is_free_tier: keyInfo.isFreeTier,
        is_provisioning_key: false,
        rate_limit: keyInfo.rateLimit,
      },
    },
  };
}

/** The in-stream error chunk OpenAI-style servers send after a 200. */
export function openAIStreamErrorFrame(message: string): string {
  return sseFrame({ error: { message, type: 'server_error', code: 'internal_error' } });
}

/** Builds the routes of an OpenAI-style API under `basePath`. */
function openAIRoutes(
  basePath: string,
  dialect: OpenAIDialect,
  modelExtra?: (model: FakeModel) => Record<string, unknown>,
): Map<string, WireRoute> {
  return new Map<string, WireRoute>([
    [
      `POST ${basePath}/chat/completions`,
      { route: 'chat', answer: (request) => openAIChatAnswer(request, dialect) },
    ],
    [
      `GET ${basePath}/models`,
      { route: 'models', answer: (request) => openAIModelsAnswer(request, modelExtra) },
    ],
  ]);
}

/** The OpenAI API (`/v1`). */
export function createOpenAIWire(): FlavorWire {
  return {
    basePath: '/v1',
    // A context window, when a test gives one, is listed the way vLLM does (`max_model_len`).
    routes: openAIRoutes('/v1', { includeCost: false }, (model) =>
      model.contextLength === undefined ? {} : { max_model_len: model.contextLength },
    ),
    defaultModels: [
      { id: 'gpt-4o-mini', ownedBy: 'openai' },
      { id: 'gpt-4o', ownedBy: 'openai' },
    ],
    checkAuth: checkBearer,
    errorAnswer: openAIErrorAnswer,
    streamErrorFrame: openAIStreamErrorFrame,
  };
}

/** OpenRouter (`/api/v1`): model names, context lengths, string prices, `usage.cost`. */
export function createOpenRouterWire(): FlavorWire {
  const modelExtra = (model: FakeModel): Record<string, unknown> =>
    // A whole OpenRouter entry (a catalog fixture, see openrouter-fixture.ts) is listed as it is.
    'architecture' in model || 'pricing' in model ? { ...model } : fakeOpenRouterEntry(model);
  const fakeOpenRouterEntry = (model: FakeModel): Record<string, unknown> => ({
    name: model.name ?? model.id,
    description: `Fake ${model.id}`,
    context_length: model.contextLength ?? 8192,
    pricing: { prompt: '0.0000001', completion: '0.0000002', request: '0', image: '0' },
    top_provider: { context_length: model.contextLength ?? 8192, max_completion_tokens: 4096 },
  });
  const routes = openAIRoutes(
    '/api/v1',
    { includeCost: true, leadingComment: 'OPENROUTER PROCESSING' },
    modelExtra,
  );
  routes.set('GET /api/v1/key', { route: 'key', answer: openRouterKeyAnswer });
  return {
    basePath: '/api/v1',
    routes,
    defaultModels: [
      {
        id: 'meta-llama/llama-3.1-8b-instruct:free',
        name: 'Meta: Llama 3.1 8B Instruct (free)',
        contextLength: 131_072,
      },
      { id: 'openai/gpt-4o-mini', name: 'OpenAI: GPT-4o-mini', contextLength: 128_000 },
    ],
    checkAuth: checkBearer,
    // OpenRouter puts the numeric status in `code`.
    errorAnswer: (status, message) => ({
      kind: 'json',
      status,
      body: { error: { code: status, message } },
    }),
    streamErrorFrame: (message) => sseFrame({ error: { code: 502, message } }),
  };
}
