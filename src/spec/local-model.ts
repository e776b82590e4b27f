/**
 * Models that run on this machine (embedded GGUF files, Ollama): what they need,
 * what is loaded, and the operations a local provider offers beyond chat. Types only.
 */
import type { CallOptions, Provider } from './provider.js';

/** What a local model needs to run at a given context size and GPU offload, estimated before loading. */
export interface ResourceNeed {
  /** Main memory for weights kept on the CPU, the KV cache of CPU layers and compute buffers, bytes. */
  ramBytes: number;
  /** GPU memory for offloaded layers and their KV cache, bytes (0 without a GPU). */
  vramBytes: number;
  /** The model file(s) on disk, bytes. */
  diskBytes: number;
  /** Size of the weights alone, bytes. */
  weightsBytes: number;
  /** KV cache at `contextSize`, bytes. */
  kvCacheBytes: number;
  /** KV cache per token of context, bytes (to work out a context that fits). */
  kvBytesPerToken: number;
  /** Context size (tokens) the estimate is for. */
  contextSize: number;
  /** Layers offloaded to the GPU. */
  gpuLayers: number;
  /** Layers of the model (0 when unknown). */
  totalLayers: number;
  /** Parameters of the model, when known (for what a lower quantisation would need). */
  parameters?: number;
  /** Where the figures come from. */
  basis: 'gguf-metadata' | 'ollama-show' | 'file-size';
}

/** One local model with what is known of it. */
export interface LocalModelInfo {
  /** Configured provider id. */
  providerId: string;
  /** The provider's own model id (file name without `.gguf`, Ollama tag). */
  id: string;
  /** Size on disk, bytes. */
  sizeBytes: number;
  /** Architecture family, e.g. `llama`. */
  family?: string;
  /** Parameter count as a label, e.g. `1.2B`. */
  parameterSize?: string;
  /** Quantisation, e.g. `Q4_K_M`. */
  quantization?: string;
  /** Context length the model was trained for, tokens. */
  contextLength?: number;
  /** Whether it is in memory now. */
  loaded: boolean;
  /** What it needs at the configured context size, when it could be estimated. */
  need?: ResourceNeed;
  /** Why it could not be described (unreadable file, upstream error). */
  problem?: string;
}

/** A model in memory now. */
export interface LoadedLocalModel {
  /** Configured provider id. */
  providerId: string;
  /** The provider's own model id. */
  id: string;
  /** Memory it holds (RAM and VRAM together), bytes, when known. */
  sizeBytes?: number;
  /** Of that, GPU memory, bytes, when known. */
  vramBytes?: number;
  /** Context size it was loaded with, tokens. */
  contextSize?: number;
  /** Requests running on it now (embedded models). */
  activeRequests?: number;
  /** When it will be unloaded if left idle, epoch milliseconds. */
  expiresAt?: number;
}

/** One step of a model download. */
export interface PullProgress {
  /** What is happening, e.g. `downloading`, `verifying sha256`, `success`. */
  status: string;
  /** Bytes done of the current part. */
  completedBytes?: number;
  /** Bytes of the current part. */
  totalBytes?: number;
}

/** What a local provider offers beyond chat: inventory, memory and downloads. */
export interface LocalModelHost {
  /** Every model on this machine, with its estimated needs. */
  listLocalModels(options?: CallOptions): Promise<LocalModelInfo[]>;
  /** Models in memory now. */
  loadedModels(options?: CallOptions): Promise<LoadedLocalModel[]>;
  /** Takes a model out of memory; false when it was not loaded. */
  unload(modelId: string, options?: CallOptions): Promise<boolean>;
  /** Unloads every model no request is using; the ids unloaded. */
  unloadIdle(): Promise<string[]>;
  /** Downloads a model, reporting progress. */
  pull?(
    modelId: string,
    onProgress: (progress: PullProgress) => void,
    options?: CallOptions,
  ): Promise<void>;
}

/** A provider whose models run on this machine. */
export interface LocalProvider extends Provider {
  /** Inventory, memory and downloads. */
  readonly local: LocalModelHost;
}

/** A local provider asking leave to load a model, before it does. */
export interface LocalLoadRequest {
  /** Configured provider id. */
  providerId: string;
  /** The provider's own model id. */
  modelId: string;
  /** What loading it needs. */
  need: ResourceNeed;
}

/**
 * Decides whether a local model may load; throws a `GatewayError` (code
 * `insufficient_resources`) that names alternatives when it may not.
 */
export type LocalAdmission = (request: LocalLoadRequest) => Promise<void>;

/** A local model loaded or unloaded, for logs, metrics and incidents. */
export interface LocalModelEvent {
  /** Configured provider id. */
  providerId: string;
  kind: 'loaded' | 'unloaded';
  /** The provider's own model id. */
  modelId: string;
  /** Why it was unloaded: idle past its keep-alive, asked to, memory pressure, shutdown. */
  reason?: 'idle' | 'requested' | 'pressure' | 'shutdown';
  /** What it needs (needed) in memory. */
  need: ResourceNeed;
}

/** What the gateway lends local providers: admission, pressure, GPU memory, events. */
export interface LocalProviderHooks {
  /** Asked before every load. */
  admit?: LocalAdmission;
  /** The context size to load with now (smaller while memory is short). */
  contextSizeFor?: (configured: number) => number;
  /** Free GPU memory, bytes. */
  freeVramBytes?: () => Promise<number | undefined>;
  /** Told of every load and unload. */
  onEvent?: (event: LocalModelEvent) => void;
  /** Warnings and errors of a local runtime. */
  log?: (level: 'warn' | 'error', message: string) => void;
}
