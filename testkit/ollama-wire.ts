/**
 * Ollama: the native `GET /api/tags`, `GET /api/version`, `POST /api/show`, `GET /api/ps`,
 * `POST /api/pull` (streamed NDJSON progress) and `POST /api/generate` (`keep_alive: 0`
 * unloads), and its OpenAI-compatible `/v1/chat/completions` and `/v1/models`. Native
 * errors are `{ error: "message" }`.
 */
import type { FakeAnswer, FakeModel, FlavorWire, WireRequest, WireRoute } from './fake-wire.js';
import {
  checkBearer,
  openAIChatAnswer,
  openAIErrorAnswer,
  openAIModelsAnswer,
  openAIStreamErrorFrame,
} from './openai-wire.js';

/** The version `GET /api/version` reports. */
export const fakeOllamaVersion = '0.6.8';

/** One entry of `GET /api/tags`. */
function tagOf(model: FakeModel, index: number): Record<string, unknown> {
  const family = model.id.split(/[:.\d]/)[0] || 'llama';
  return {
    name: model.id,
    model: model.id,
    modified_at: '2025-01-01T00:00:00.000Z',
    size: 1_000_000_000 + index,
    digest: model.digest ?? `sha256:${index.toString(16).padStart(64, '0')}`,
    details: {
      parent_model: '',
      format: 'gguf',
      family,
      families: [family],
      parameter_size: '1.2B',
      quantization_level: 'Q8_0',
    },
  };
}

/** Answers `GET /api/tags`. */
function tagsAnswer(request: WireRequest): FakeAnswer {
  return { kind: 'json', status: 200, body: { models: request.models.map(tagOf) } };
}

/** Answers `POST /api/show`: details and the architecture numbers a memory estimate needs. */
function showAnswer(request: WireRequest): FakeAnswer {
  const name = request.body.model ?? request.body.name;
  const index = request.models.findIndex((model) => model.id === name);
  const model = request.models[index];
  if (model === undefined)
    return { kind: 'json', status: 404, body: { error: `model '${String(name)}' not found` } };
  const tag = tagOf(model, index);
  return {
    kind: 'json',
    status: 200,
    body: {
      modelfile: `FROM ${model.id}`,
      parameters: 'num_ctx                        4096',
      template: '{{ .Prompt }}',
      details: tag.details,
      model_info: {
        'general.architecture': 'llama',
        'general.parameter_count': 1_235_814_432,
        'llama.block_count': 16,
        'llama.context_length': 131_072,
        'llama.embedding_length': 2048,
        'llama.attention.head_count': 32,
        'llama.attention.head_count_kv': 8,
      },
      capabilities: ['completion'],
      modified_at: '2025-01-01T00:00:00.000Z',
    },
  };
}

/** Answers `POST /api/pull` with streamed NDJSON progress, as Ollama does. */
function pullAnswer(request: WireRequest): FakeAnswer {
  const name = String(request.body.model ?? request.body.name ?? '');
  if (name.includes('missing'))
    return {
      kind: 'json',
      status: 500,
      body: { error: 'pull model manifest: file does not exist' },
    };
  const digest = `sha256:${'ab'.repeat(32)}`;
  const total = 1_000_000;
  const lines = [
    { status: 'pulling manifest' },
    ...[0, 250_000, 500_000, 750_000, total].map((completed) => ({
      status: `pulling ${digest.slice(7, 19)}`,
      digest,
      total,
      completed,
    })),
    { status: 'verifying sha256 digest' },
    { status: 'writing manifest' },
    { status: 'success' },
  ];
  return {
    kind: 'sse',
    contentType: 'application/x-ndjson',
    frames: lines.map((line) => `${JSON.stringify(line)}\n`),
  };
}

/** The Ollama fake. Its base URL is the bare origin, as for a real Ollama. */
export function createOllamaWire(): FlavorWire {
  // Models "in memory": loaded by a chat, unloaded by `keep_alive: 0`, listed by `/api/ps`.
  const loaded = new Set<string>();
  const psAnswer = (request: WireRequest): FakeAnswer => ({
    kind: 'json',
    status: 200,
    body: {
      models: request.models
        .map((model, index) => ({ model, index }))
        .filter(({ model }) => loaded.has(model.id))
        .map(({ model, index }) => {
          const tag = tagOf(model, index);
          return {
            name: model.id,
            model: model.id,
            size: 1_500_000_000,
            digest: tag.digest,
            details: tag.details,
            expires_at: '2030-01-01T00:05:00.000Z',
            size_vram: 1_000_000_000,
            context_length: 4096,
          };
        }),
    },
  });
  const generateAnswer = (request: WireRequest): FakeAnswer => {
    const name = String(request.body.model ?? '');
    const unload = request.body.keep_alive === 0 || request.body.keep_alive === '0';
    if (unload) loaded.delete(name);
    else loaded.add(name);
    return {
      kind: 'json',
      status: 200,
      body: {
        model: name,
        created_at: '2025-01-01T00:00:00.000Z',
        response: '',
        done: true,
        ...(unload ? { done_reason: 'unload' } : {}),
      },
    };
  };
  const routes = new Map<string, WireRoute>([
    ['GET /api/tags', { route: 'models', answer: tagsAnswer }],
    [
      'GET /api/version',
      {
        route: 'version',
        answer: () => ({ kind: 'json', status: 200, body: { version: fakeOllamaVersion } }),
      },
    ],
    [
      'POST /v1/chat/completions',
      {
        route: 'chat',
        answer: (request) => {
          loaded.add(String(request.body.model));
          return openAIChatAnswer(request, { includeCost: false });
        },
      },
    ],
    ['POST /api/show', { route: 'models', answer: showAnswer }],
    ['GET /api/ps', { route: 'models', answer: psAnswer }],
    ['POST /api/generate', { route: 'chat', answer: generateAnswer }],
    ['POST /api/pull', { route: 'models', answer: pullAnswer }],
    [
      'GET /v1/models',
      {
        route: 'models',
        answer: (request) =>
          openAIModelsAnswer(request, (model) => ({ owned_by: model.ownedBy ?? 'library' })),
      },
    ],
  ]);
  return {
    basePath: '',
    routes,
    defaultModels: [{ id: 'llama3.2:1b' }, { id: 'qwen2.5:0.5b' }],
    // Ollama has no auth of its own; proxies in front of it check a bearer token.
    checkAuth: checkBearer,
    errorAnswer: (status, message, path) =>
      path.startsWith('/api/')
        ? { kind: 'json', status, body: { error: message } }
        : openAIErrorAnswer(status, message),
    streamErrorFrame: openAIStreamErrorFrame,
  };
}
