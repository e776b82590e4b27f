/**
 * The embedded models in memory. A model loads on its first request (after admission
 * control said it fits), serves concurrent requests on a fixed number of context
 * sequences (more requests wait their turn), and unloads after a keep-alive once idle.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { GatewayError } from '../../spec/errors.js';
import type {
  LoadedLocalModel,
  LocalAdmission,
  LocalModelEvent,
  ResourceNeed,
} from '../../spec/local-model.js';
import { type GgufLoadPlan, type GgufModelFile, readGgufModel } from './gguf-estimate.js';
import type { LlamaRuntime } from './llama-runtime.js';

/** Layers to offload: `auto` (as many as free GPU memory holds), `max`, or a number. */
export type GpuLayersSetting = 'auto' | 'max' | number;

/** Timers, injected so keep-alive is tested without waiting. */
export interface PoolTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Something the pool did, for logs and incidents. */
export type PoolEvent = Omit<LocalModelEvent, 'providerId'>;

/** Options of {@link createModelPool}. */
export interface ModelPoolOptions {
  providerId: string;
  runtime: LlamaRuntime;
  /** Whether llama.cpp may use a GPU at all. */
  gpuEnabled: boolean;
  /** Context tokens per sequence (capped at each model's trained length). */
  contextSize: number;
  gpuLayers: GpuLayersSetting;
  /** Sequences per model: how many requests run at once; the rest queue. */
  sequences: number;
  /** How long an idle model stays loaded, milliseconds; negative keeps it loaded. */
  keepAliveMs: number;
  /** Asked before every load; throws to refuse. */
  admit?: LocalAdmission;
  /** The context size to load with now (smaller under memory pressure). */
  contextSizeFor?: (configured: number) => number;
  /** Free GPU memory, bytes, for `gpuLayers: auto`. */
  freeVramBytes?: () => Promise<number | undefined>;
  onEvent?: (event: PoolEvent) => void;
  timers?: PoolTimers;
  now?: () => number;
}

/** A sequence lent to one request; `release` must be called exactly once. */
export interface SequenceLease {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  release(): void;
}

interface Entry {
  modelId: string;
  model: LlamaModel;
  context: LlamaContext;
  need: ResourceNeed;
  idle: LlamaContextSequence[];
  waiting: Array<(sequence: LlamaContextSequence) => void>;
  active: number;
  timer?: unknown;
  expiresAt?: number;
}

/** Creates the pool of one embedded provider. */
export function createModelPool(options: ModelPoolOptions) {
  const timers: PoolTimers = options.timers ?? {
    setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry>>();

  /** How a file would load now: context size and GPU layers resolved to numbers. */
  async function planFor(file: GgufModelFile): Promise<GgufLoadPlan> {
    const configured = options.contextSizeFor?.(options.contextSize) ?? options.contextSize;
    const plan = { contextSize: configured, gpuLayers: 0, sequences: options.sequences };
    const total = file.facts.totalLayers;
    if (!options.gpuEnabled || options.gpuLayers === 0) return plan;
    if (options.gpuLayers === 'max') return { ...plan, gpuLayers: total };
    if (typeof options.gpuLayers === 'number')
      return { ...plan, gpuLayers: Math.min(options.gpuLayers, total) };
    const free = (await options.freeVramBytes?.()) ?? 0;
    if (free <= 0 || total === 0) return plan;
    const full = await file.estimate({ ...plan, gpuLayers: total });
    // Leave a tenth of the GPU free for other programs and llama.cpp's own buffers.
    const layers = Math.floor(((free * 0.9) / Math.max(1, full.vramBytes)) * total);
    return { ...plan, gpuLayers: Math.max(0, Math.min(total, layers)) };
  }

  async function load(modelId: string, path: string): Promise<Entry> {
    const file = await readGgufModel(path);
    const need = await file.estimate(await planFor(file));
    await options.admit?.({ providerId: options.providerId, modelId, need });
    const llama = await options.runtime.llama();
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: need.gpuLayers });
      const context = await model.createContext({
        contextSize: need.contextSize,
        sequences: options.sequences,
      });
      const entry: Entry = { modelId, model, context, need, idle: [], waiting: [], active: 0 };
      entries.set(modelId, entry);
      options.onEvent?.({ kind: 'loaded', modelId, need });
      return entry;
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      throw loadFailed(options.providerId, modelId, need, error);
    }
  }

  function entryFor(modelId: string, path: string): Promise<Entry> {
    const loaded = entries.get(modelId);
    if (loaded) return Promise.resolve(loaded);
    let pending = loading.get(modelId);
    if (!pending) {
      pending = load(modelId, path).finally(() => loading.delete(modelId));
      loading.set(modelId, pending);
    }
    return pending;
  }

  function scheduleUnload(entry: Entry): void {
    if (options.keepAliveMs < 0) return;
    entry.expiresAt = now() + options.keepAliveMs;
    entry.timer = timers.setTimeout(() => {
      if (entry.active === 0) void unloadEntry(entry, 'idle');
    }, options.keepAliveMs);
  }

  async function unloadEntry(entry: Entry, reason: NonNullable<PoolEvent['reason']>) {
    if (entries.get(entry.modelId) !== entry) return;
    entries.delete(entry.modelId);
    if (entry.timer !== undefined) timers.clearTimeout(entry.timer);
    await entry.context.dispose().catch(() => undefined);
    await entry.model.dispose().catch(() => undefined);
    options.onEvent?.({ kind: 'unloaded', modelId: entry.modelId, reason, need: entry.need });
  }

  return {
    /** Waits for a free sequence of the model, loading it first if need be. */
    async acquire(modelId: string, path: string, signal?: AbortSignal): Promise<SequenceLease> {
      const entry = await entryFor(modelId, path);
      signal?.throwIfAborted();
      if (entry.timer !== undefined) timers.clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.expiresAt = undefined;
      entry.active += 1;
      let sequence = entry.idle.pop();
      if (sequence === undefined && entry.context.sequencesLeft > 0)
        sequence = entry.context.getSequence();
      if (sequence === undefined) {
        try {
          sequence = await new Promise<LlamaContextSequence>((resolve, reject) => {
            const onAbort = () => {
              entry.waiting.splice(entry.waiting.indexOf(grant), 1);
              reject(signal?.reason);
            };
            const grant = (granted: LlamaContextSequence) => {
              signal?.removeEventListener('abort', onAbort);
              resolve(granted);
            };
            entry.waiting.push(grant);
            signal?.addEventListener('abort', onAbort, { once: true });
          });
        } catch (error) {
          entry.active -= 1;
          if (entry.active === 0) scheduleUnload(entry);
          throw error;
        }
      }
      const granted = sequence;
      let released = false;
      return {
        model: entry.model,
        sequence: granted,
        release() {
          if (released) return;
          released = true;
          entry.active -= 1;
          const next = entry.waiting.shift();
          if (next) next(granted);
          else entry.idle.push(granted);
          if (entry.active === 0) scheduleUnload(entry);
        },
      };
    },

    /** What loading a file would need now (for listings), without loading it. */
    async estimate(path: string): Promise<{ file: GgufModelFile; need: ResourceNeed }> {
      const file = await readGgufModel(path);
      return { file, need: await file.estimate(await planFor(file)) };
    },

    /** Models in memory. */
    loaded(): LoadedLocalModel[] {
      return [...entries.values()].map((entry) => ({
        providerId: options.providerId,
        id: entry.modelId,
        sizeBytes: entry.need.ramBytes + entry.need.vramBytes,
        vramBytes: entry.need.vramBytes,
        contextSize: entry.context.contextSize,
        activeRequests: entry.active,
        ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
      }));
    },

    /** Unloads a model; throws 409 while requests run on it. */
    async unload(modelId: string, reason: 'requested' | 'pressure' = 'requested') {
      const entry = entries.get(modelId);
      if (!entry) return false;
      if (entry.active > 0) {
        throw new GatewayError(
          `${options.providerId}/${modelId} is answering ${entry.active} request(s); unload it when they finish.`,
          { status: 409, type: 'invalid_request_error', code: 'model_busy' },
        );
      }
      await unloadEntry(entry, reason);
      return true;
    },

    /** Unloads every model no request uses; returns their ids. */
    async unloadIdle(reason: 'requested' | 'pressure' = 'pressure'): Promise<string[]> {
      const idle = [...entries.values()].filter((entry) => entry.active === 0);
      for (const entry of idle) await unloadEntry(entry, reason);
      return idle.map((entry) => entry.modelId);
    },

    /** Unloads everything (shutdown). */
    async close(): Promise<void> {
      await Promise.allSettled(loading.values());
      for (const entry of [...entries.values()]) await unloadEntry(entry, 'shutdown');
    },
  };
}

/** The pool of one embedded provider. */
export type ModelPool = ReturnType<typeof createModelPool>;

function loadFailed(
  providerId: string,
  modelId: string,
  need: ResourceNeed,
  error: unknown,
): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const memory = /memory|alloc|vram/i.test(reason);
  return new GatewayError(
    memory
      ? `${providerId}/${modelId} did not fit while loading (${reason}) with a ${need.contextSize}-token context and ${need.gpuLayers} GPU layers. Lower contextSize or gpuLayers in config.yaml, or pick a smaller quantisation.`
      : `${providerId}/${modelId} could not be loaded: ${reason}. Check that the file is a complete GGUF model (a partial download ends in .part).`,
    {
      status: 503,
      type: 'server_error',
      code: memory ? 'insufficient_resources' : 'model_load_failed',
      cause: error,
    },
  );
}
