/** The provider-entry fields of `type: embedded`, spread into the config schema's provider entry. */
import { z } from 'zod';

/** Settings of an embedded (in-process llama.cpp) provider; other types ignore them. */
export const embeddedProviderFields = {
  /** Folder of `.gguf` files (default `$TTA_MODELS_HOME/models`). */
  modelsDir: z.string().min(1).optional(),
  /** Context tokens per request (default 4096, capped at each model's trained length). */
  contextSize: z.number().int().min(64).optional(),
  /** Layers offloaded to the GPU: `auto` (what free GPU memory holds), `max`, or a number. */
  gpuLayers: z.union([z.enum(['auto', 'max']), z.number().int().min(0)]).optional(),
  /** GPU backend, or `false` for the CPU only (default `auto`). */
  gpu: z.union([z.literal(false), z.enum(['auto', 'cuda', 'vulkan', 'metal'])]).optional(),
  /** Most CPU threads llama.cpp uses (default: its own choice). */
  threads: z.number().int().positive().optional(),
  /** Requests one model answers at once; more wait their turn (default 1). */
  parallel: z.number().int().min(1).max(64).optional(),
  /** Seconds an idle model stays loaded (default 300; -1 keeps it until shutdown). */
  keepAliveSeconds: z.number().int().min(-1).optional(),
};
