/**
 * Ollama's native model management: what is pulled (`/api/tags`) with its details and
 * architecture (`/api/show`), what is in memory and how much of it on the GPU
 * (`/api/ps`), pulls with streamed progress (`/api/pull`), and unloading
 * (`/api/generate` with `keep_alive: 0`). Before a chat would make Ollama load a model,
 * admission control is asked with an estimate from `/api/show`.
 */
import { ApiCallError } from '../../spec/errors.js';
import type {
  LoadedLocalModel,
  LocalModelHost,
  LocalModelInfo,
  LocalProviderHooks,
  PullProgress,
  ResourceNeed,
} from '../../spec/local-model.js';
import type { CallOptions } from '../../spec/provider.js';
import type { HttpClient } from '../http-client.js';
import { malformedResponse } from '../upstream-error.js';

/** Options of {@link createOllamaLocalModels}. */
export interface OllamaLocalModelsOptions {
  providerId: string;
  /** Ollama's root URL, without `/v1`. */
  root: string;
  http: HttpClient;
  /** Context size assumed when a model's parameters name none (Ollama's default, 4096). */
  defaultContextSize?: number;
  hooks?: LocalProviderHooks;
}

type Json = Record<string, unknown>;

/** Ollama as a {@link LocalModelHost}, plus the admission check its chat models run. */
export function createOllamaLocalModels(options: OllamaLocalModelsOptions): LocalModelHost & {
  /** Asks admission control before a chat makes Ollama load `modelId` (nothing when it is loaded). */
  admitBeforeChat(modelId: string, callOptions: CallOptions): Promise<void>;
} {
  const { providerId, root, http } = options;
  const defaultContextSize = options.defaultContextSize ?? 4096;

  async function tags(callOptions: CallOptions): Promise<Json[]> {
    const answer = (await http.getJson(`${root}/api/tags`, callOptions)) as { models?: unknown };
    if (!Array.isArray(answer?.models))
      throw malformedResponse(providerId, 'tag list (no models array)');
    return answer.models as Json[];
  }

  async function show(modelId: string, callOptions: CallOptions): Promise<Json> {
    return (await http.postJson(`${root}/api/show`, { model: modelId }, callOptions)) as Json;
  }

  async function loadedModels(callOptions: CallOptions = {}): Promise<LoadedLocalModel[]> {
    const answer = (await http.getJson(`${root}/api/ps`, callOptions)) as { models?: unknown };
    if (!Array.isArray(answer?.models))
      throw malformedResponse(providerId, 'process list (no models array)');
    return (answer.models as Json[]).map((entry) => {
      const expires =
        typeof entry.expires_at === 'string' ? Date.parse(entry.expires_at) : Number.NaN;
      return {
        providerId,
        id: String(entry.model ?? entry.name),
        ...(typeof entry.size === 'number' ? { sizeBytes: entry.size } : {}),
        ...(typeof entry.size_vram === 'number' ? { vramBytes: entry.size_vram } : {}),
        ...(typeof entry.context_length === 'number' ? { contextSize: entry.context_length } : {}),
        ...(Number.isNaN(expires) ? {} : { expiresAt: expires }),
      };
    });
  }

  async function describe(
    tag: Json,
    loaded: Set<string>,
    callOptions: CallOptions,
  ): Promise<LocalModelInfo> {
    const id = String(tag.model ?? tag.name);
    const details = (
      typeof tag.details === 'object' && tag.details !== null ? tag.details : {}
    ) as Json;
    const sizeBytes = typeof tag.size === 'number' ? tag.size : 0;
    const info: LocalModelInfo = {
      providerId,
      id,
      sizeBytes,
      loaded: loaded.has(id),
      ...(typeof details.family === 'string' ? { family: details.family } : {}),
      ...(typeof details.parameter_size === 'string'
        ? { parameterSize: details.parameter_size }
        : {}),
      ...(typeof details.quantization_level === 'string'
        ? { quantization: details.quantization_level }
        : {}),
    };
    try {
      const shown = await show(id, callOptions);
      const estimate = estimateFromShow(shown, sizeBytes, defaultContextSize);
      if (estimate.trainContextSize !== undefined) info.contextLength = estimate.trainContextSize;
      info.need = estimate.need;
    } catch (error) {
      info.problem = `no estimate: ${error instanceof Error ? error.message : String(error)}`;
    }
    return info;
  }

  async function listLocalModels(callOptions: CallOptions = {}): Promise<LocalModelInfo[]> {
    const [tagList, loaded] = await Promise.all([
      tags(callOptions),
      loadedModels(callOptions).catch(() => []),
    ]);
    const loadedIds = new Set(loaded.map((model) => model.id));
    return Promise.all(tagList.map((tag) => describe(tag, loadedIds, callOptions)));
  }

  async function unload(modelId: string, callOptions: CallOptions = {}): Promise<boolean> {
    const wasLoaded = (await loadedModels(callOptions)).some((model) => model.id === modelId);
    if (!wasLoaded) return false;
    await http.postJson(`${root}/api/generate`, { model: modelId, keep_alive: 0 }, callOptions);
    return true;
  }

  async function pull(
    modelId: string,
    onProgress: (progress: PullProgress) => void,
    callOptions: CallOptions = {},
  ): Promise<void> {
    const body = await http.postStream(
      `${root}/api/pull`,
      { model: modelId, stream: true },
      callOptions,
    );
    let buffered = '';
    let succeeded = false;
    const handle = (line: string) => {
      if (line.trim() === '') return;
      const event = JSON.parse(line) as Json;
      if (typeof event.error === 'string') {
        throw new ApiCallError({
          message: `${providerId}: pulling ${modelId} failed: ${event.error}`,
          providerId,
          code: 'pull_failed',
          isRetryable: false,
        });
      }
      const status = String(event.status ?? '');
      succeeded ||= status === 'success';
      onProgress({
        status,
        ...(typeof event.completed === 'number' ? { completedBytes: event.completed } : {}),
        ...(typeof event.total === 'number' ? { totalBytes: event.total } : {}),
      });
    };
    for await (const chunk of body) {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) handle(line);
    }
    handle(buffered);
    if (!succeeded) {
      throw new ApiCallError({
        message: `${providerId}: the pull of ${modelId} ended before Ollama said "success"; run it again to resume`,
        providerId,
        code: 'upstream_incomplete_response',
        isRetryable: true,
      });
    }
  }

  // A model seen loaded (or admitted) a moment ago needs no new check: chats in a row
  // would otherwise each pay one to three extra requests to Ollama.
  const recentlyLoaded = new Map<string, number>();
  const recentMs = 10_000;

  async function admitBeforeChat(modelId: string, callOptions: CallOptions): Promise<void> {
    const admit = options.hooks?.admit;
    if (!admit) return;
    if (Date.now() - (recentlyLoaded.get(modelId) ?? Number.NEGATIVE_INFINITY) < recentMs) return;
    let need: ResourceNeed;
    try {
      const loaded = await loadedModels(callOptions);
      if (loaded.some((model) => model.id === modelId)) {
        recentlyLoaded.set(modelId, Date.now());
        return;
      }
      const tag = (await tags(callOptions)).find(
        (entry) => (entry.model ?? entry.name) === modelId,
      );
      if (!tag) return; // Ollama answers unknown models with its own clear 404.
      const size = typeof tag.size === 'number' ? tag.size : 0;
      need = estimateFromShow(await show(modelId, callOptions), size, defaultContextSize).need;
    } catch {
      // Without an estimate there is nothing to judge; Ollama decides for itself.
      return;
    }
    await admit({ providerId, modelId, need });
    recentlyLoaded.set(modelId, Date.now());
  }

  return {
    listLocalModels,
    loadedModels,
    unload,
    // Ollama unloads idle models on its own keep-alive and does not say which are busy.
    unloadIdle: async () => [],
    pull,
    admitBeforeChat,
  };
}

/**
 * What an Ollama model needs, from `/api/show`: the weights (the file size from
 * `/api/tags`), an f16 KV cache at the context size its parameters set (`num_ctx`), and
 * llama.cpp's compute buffers. Ollama places layers itself, so all of it counts as RAM.
 */
export function estimateFromShow(
  shown: Json,
  fileBytes: number,
  defaultContextSize: number,
): { need: ResourceNeed; trainContextSize?: number } {
  const info = (
    typeof shown.model_info === 'object' && shown.model_info !== null ? shown.model_info : {}
  ) as Json;
  const architecture = String(info['general.architecture'] ?? '');
  const number = (key: string) => {
    const value = info[`${architecture}.${key}`];
    return typeof value === 'number' ? value : undefined;
  };
  const layers = number('block_count');
  const width = number('embedding_length');
  const heads = number('attention.head_count');
  const kvHeads = number('attention.head_count_kv') ?? heads;
  const trainContextSize = number('context_length');
  const parameters =
    typeof info['general.parameter_count'] === 'number'
      ? info['general.parameter_count']
      : undefined;
  const numCtx = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(String(shown.parameters ?? ''))?.[1];
  const contextSize = Math.min(
    numCtx ? Number(numCtx) : defaultContextSize,
    trainContextSize ?? Number.POSITIVE_INFINITY,
  );
  const known =
    layers !== undefined && width !== undefined && heads !== undefined && kvHeads !== undefined;
  // Keys and values, f16 (2 bytes), for every layer and every key-value head.
  const kvBytesPerToken = known ? 2 * 2 * layers * (width / heads) * kvHeads : 0;
  const kvCacheBytes = kvBytesPerToken * contextSize;
  // Compute buffers: a tenth of the weights is a safe round figure for llama.cpp.
  const ramBytes = Math.round(fileBytes * 1.1 + kvCacheBytes);
  return {
    need: {
      ramBytes,
      vramBytes: 0,
      diskBytes: fileBytes,
      weightsBytes: fileBytes,
      kvCacheBytes,
      kvBytesPerToken,
      contextSize,
      gpuLayers: 0,
      totalLayers: layers === undefined ? 0 : layers + 1,
      ...(parameters === undefined ? {} : { parameters }),
      basis: known ? 'ollama-show' : 'file-size',
    },
    ...(trainContextSize === undefined ? {} : { trainContextSize }),
  };
}
