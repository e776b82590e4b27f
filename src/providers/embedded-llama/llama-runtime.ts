/**
 * node-llama-cpp, loaded on first use: importing it and starting llama.cpp costs memory
 * and time, so a gateway that never runs an embedded model never pays for it.
 */
import type { Llama } from 'node-llama-cpp';
import { GatewayError } from '../../spec/errors.js';

/** The node-llama-cpp module. */
export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** Which GPU backend llama.cpp may use: `false` for the CPU only, `auto` to let it choose. */
export type GpuSetting = false | 'auto' | 'cuda' | 'vulkan' | 'metal';

/** Options of {@link createLlamaRuntime}. */
export interface LlamaRuntimeOptions {
  /** GPU backend (default `auto`). */
  gpu?: GpuSetting;
  /** Most CPU threads llama.cpp uses (default: as many as it likes; 1 is fastest on 2 cores). */
  threads?: number;
  /** Where llama.cpp's warnings and errors go (default: dropped). */
  log?: (level: 'warn' | 'error', message: string) => void;
}

/** One llama.cpp instance per provider, started on first use. */
export interface LlamaRuntime {
  /** The node-llama-cpp module (imports it on first call). */
  module(): Promise<NodeLlamaCpp>;
  /** The started llama.cpp (starts it on first call). */
  llama(): Promise<Llama>;
  /** True once llama.cpp was started. */
  readonly started: boolean;
  /** Releases llama.cpp; the next call starts it again. */
  dispose(): Promise<void>;
}

let modulePromise: Promise<NodeLlamaCpp> | undefined;

/** Imports node-llama-cpp once per process. */
export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp').catch((error: unknown) => {
    modulePromise = undefined;
    throw runtimeUnavailable(error);
  });
  return modulePromise;
}

/** Creates a lazily started llama.cpp runtime. */
export function createLlamaRuntime(options: LlamaRuntimeOptions = {}): LlamaRuntime {
  let llama: Promise<Llama> | undefined;
  let started = false;
  return {
    module: importNodeLlamaCpp,
    llama() {
      llama ??= (async () => {
        const { getLlama, LlamaLogLevel } = await importNodeLlamaCpp();
        try {
          const instance = await getLlama({
            gpu: options.gpu ?? 'auto',
            ...(options.threads === undefined ? {} : { maxThreads: options.threads }),
            // Prebuilt binaries only: nothing is downloaded or compiled at run time.
            build: 'never',
            logLevel: LlamaLogLevel.warn,
            logger: (level, message) => {
              if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
                options.log?.('error', message.trim());
              else if (level === LlamaLogLevel.warn) options.log?.('warn', message.trim());
            },
          });
          started = true;
          return instance;
        } catch (error) {
          llama = undefined;
          throw runtimeUnavailable(error);
        }
      })();
      return llama;
    },
    get started() {
      return started;
    },
    async dispose() {
      const current = llama;
      llama = undefined;
      started = false;
      if (current) await (await current.catch(() => undefined))?.dispose();
    },
  };
}

function runtimeUnavailable(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayError(
    `The embedded llama.cpp runtime cannot start on this machine (${reason}). node-llama-cpp ships prebuilt binaries for Linux, macOS and Windows on x64 and arm64; elsewhere serve the model with Ollama (type "ollama") or llama.cpp's llama-server (type "openai-compatible").`,
    { status: 503, type: 'server_error', code: 'local_runtime_unavailable', cause: error },
  );
}
