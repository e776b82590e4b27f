/**
 * `type: embedded`: GGUF files in a models folder, run in-process by llama.cpp through
 * node-llama-cpp. `name.gguf` is the model `<providerId>/name`. Nothing of
 * node-llama-cpp is loaded until a model is described or asked for.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProviderConfig } from '../../config/config-schema.js';
import { resolveHome } from '../../config/home.js';
import type {
  LocalAdmission,
  LocalModelInfo,
  LocalProvider,
  LocalProviderHooks,
  PullProgress,
} from '../../spec/local-model.js';
import type { HealthReport, ModelCard } from '../../spec/model-card.js';
import type { CallOptions } from '../../spec/provider.js';
import { createEmbeddedChatModel } from './embedded-chat-model.js';
import { pullGguf } from './hugging-face-pull.js';
import { createLlamaRuntime, type GpuSetting, type LlamaRuntime } from './llama-runtime.js';
import {
  createModelPool,
  type GpuLayersSetting,
  type PoolEvent,
  type PoolTimers,
} from './model-pool.js';
import { ggufPath, listGgufFiles } from './models-folder.js';

/** Options of {@link createEmbeddedLlama}. */
export interface EmbeddedLlamaOptions {
  /** Configured provider id. */
  id: string;
  /** Folder of `.gguf` files. */
  modelsDir: string;
  /** Context tokens per request (default 4096, capped at each model's trained length). */
  contextSize?: number;
  /** Layers to offload to the GPU (default `auto`: as many as free GPU memory holds). */
  gpuLayers?: GpuLayersSetting;
  /** GPU backend, or `false` for the CPU only (default `auto`). */
  gpu?: GpuSetting;
  /** Most CPU threads (default: llama.cpp's choice). */
  threads?: number;
  /** Requests one model answers at once; more wait their turn (default 1). */
  parallel?: number;
  /** Seconds an idle model stays loaded (default 300; negative: until shutdown). */
  keepAliveSeconds?: number;
  /** Hugging Face endpoint for `pull` (default `$HF_ENDPOINT` or https://huggingface.co). */
  hubUrl?: string;
  /** Hugging Face token for gated repositories (default `$HF_TOKEN`). */
  hubToken?: string;
  /** Asked before every load; throws to refuse. */
  admit?: LocalAdmission;
  /** Context size to load with now (the resource monitor shrinks it under memory pressure). */
  contextSizeFor?: (configured: number) => number;
  /** Free GPU memory, bytes, for `gpuLayers: auto`. */
  freeVramBytes?: () => Promise<number | undefined>;
  /** Told of every load and unload. */
  onEvent?: (event: PoolEvent & { providerId: string }) => void;
  /** llama.cpp's warnings and errors. */
  log?: (level: 'warn' | 'error', message: string) => void;
  /** A runtime to share or fake (default: one started on first use). */
  runtime?: LlamaRuntime;
  /** Keep-alive timers (tests). */
  timers?: PoolTimers;
}

/** Creates an embedded provider. Does no I/O until called. */
export function createEmbeddedLlama(options: EmbeddedLlamaOptions): LocalProvider {
  const providerId = options.id;
  const folder = options.modelsDir;
  const gpu = options.gpu ?? 'auto';
  const runtime =
    options.runtime ??
    createLlamaRuntime({
      gpu,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  const pool = createModelPool({
    providerId,
    runtime,
    gpuEnabled: gpu !== false,
    contextSize: options.contextSize ?? 4096,
    gpuLayers: options.gpuLayers ?? 'auto',
    sequences: options.parallel ?? 1,
    keepAliveMs: (options.keepAliveSeconds ?? 300) * 1000,
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.contextSizeFor ? { contextSizeFor: options.contextSizeFor } : {}),
    ...(options.freeVramBytes ? { freeVramBytes: options.freeVramBytes } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    onEvent: (event) => options.onEvent?.({ ...event, providerId }),
  });
  const pathOf = (modelId: string) => ggufPath(folder, providerId, modelId);

  async function listModels(): Promise<ModelCard[]> {
    const files = await listGgufFiles(folder);
    return files.map((file) => ({
      id: file.id,
      providerId,
      name: file.id,
      created: Math.floor(file.modifiedAt / 1000),
    }));
  }

  async function health(): Promise<HealthReport> {
    const started = performance.now();
    try {
      await fs.access(folder);
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        message: `the models folder ${folder} does not exist yet; \`tta-models pull hf:<user>/<repo>/<file>.gguf\` creates it`,
      };
    }
  }

  async function listLocalModels(): Promise<LocalModelInfo[]> {
    const loaded = new Set(pool.loaded().map((model) => model.id));
    const files = await listGgufFiles(folder);
    return Promise.all(
      files.map(async (file): Promise<LocalModelInfo> => {
        const base = {
          providerId,
          id: file.id,
          sizeBytes: file.sizeBytes,
          loaded: loaded.has(file.id),
        };
        try {
          const { file: gguf, need } = await pool.estimate(file.path);
          const { facts } = gguf;
          return {
            ...base,
            family: facts.architecture,
            parameterSize: facts.parameterSize,
            ...(facts.quantization === undefined ? {} : { quantization: facts.quantization }),
            ...(facts.trainContextSize === undefined
              ? {}
              : { contextLength: facts.trainContextSize }),
            need,
          };
        } catch (error) {
          return {
            ...base,
            problem: `not a readable GGUF model: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
      }),
    );
  }

  return {
    id: providerId,
    type: 'embedded',
    listModels,
    health,
    model: (modelId) => createEmbeddedChatModel(modelId, { providerId, runtime, pool, pathOf }),
    async close() {
      await pool.close();
      await runtime.dispose();
    },
    local: {
      listLocalModels,
      loadedModels: async () => pool.loaded(),
      unload: (modelId) => pool.unload(modelId),
      unloadIdle: () => pool.unloadIdle('pressure'),
      pull: (
        reference: string,
        onProgress: (progress: PullProgress) => void,
        callOptions?: CallOptions,
      ) =>
        pullGguf({
          reference,
          modelsDir: folder,
          onProgress,
          ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
          ...(options.hubToken === undefined ? {} : { token: options.hubToken }),
          ...(callOptions?.signal ? { signal: callOptions.signal } : {}),
        }).then(() => undefined),
    },
  };
}

/** Builds an embedded provider from its config entry and the gateway's hooks. */
export function createEmbeddedFromConfig(
  config: ProviderConfig,
  dependencies: { modelsHome?: string; local?: LocalProviderHooks },
): LocalProvider {
  const hooks = dependencies.local ?? {};
  return createEmbeddedLlama({
    id: config.id,
    modelsDir: embeddedModelsDir(config, dependencies.modelsHome),
    ...pick(config, ['contextSize', 'gpuLayers', 'gpu', 'threads', 'parallel', 'keepAliveSeconds']),
    ...(config.baseUrl === undefined ? {} : { hubUrl: config.baseUrl }),
    ...(config.apiKey === undefined ? {} : { hubToken: config.apiKey }),
    ...hooks,
  });
}

/**
 * The folder an embedded provider serves (and `pull hf:` fills): its `modelsDir` with `~`
 * expanded, else `modelsHome` (default `$TTA_MODELS_HOME/models`).
 */
export function embeddedModelsDir(
  config: Pick<ProviderConfig, 'modelsDir'> | undefined,
  modelsHome?: string,
): string {
  return config?.modelsDir
    ? path.resolve(config.modelsDir.replace(/^~(?=$|\/)/, os.homedir()))
    : (modelsHome ?? path.join(resolveHome().home, 'models'));
}

/** The fields of `source` that are set. */
function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}
