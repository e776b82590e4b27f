/**
 * Ollama: the native `GET /api/tags` and `GET /api/version`, and its OpenAI-compatible
 * `/v1/chat/completions` and `/v1/models`. Native errors are `{ error: "message" }`.
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
    digest: `sha256:${index.toString(16).padStart(64, '0')}`,
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

/** The Ollama fake. Its base URL is the bare origin, as for a real Ollama. */
export function createOllamaWire(): FlavorWire {
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
      { route: 'chat', answer: (request) => openAIChatAnswer(request, { includeCost: false }) },
    ],
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
