/**
 * What a GGUF file is and what it needs, read from its header alone (no weights are
 * loaded): node-llama-cpp's `readGgufFileInfo` and `GgufInsights` give the weights'
 * size per device and the KV cache at a context size.
 */
import fs from 'node:fs/promises';
import type { ResourceNeed } from '../../spec/local-model.js';
import { importNodeLlamaCpp } from './llama-runtime.js';

/** Facts from a GGUF header. */
export interface GgufFacts {
  /** `general.architecture`, e.g. `llama`. */
  architecture: string;
  /** `general.name`, when set. */
  name?: string;
  /** Parameters, counted from the tensors. */
  parameters: number;
  /** Parameters as a label, e.g. `1.2B`. */
  parameterSize: string;
  /** Quantisation of most tensors, e.g. `Q4_K_M`, when the file says. */
  quantization?: string;
  /** Context length the model was trained with, tokens. */
  trainContextSize?: number;
  /** Transformer layers. */
  totalLayers: number;
  /** File size, bytes. */
  fileBytes: number;
}

/** How a model would be loaded, for the estimate. */
export interface GgufLoadPlan {
  /** Tokens of context per sequence (capped at the trained length). */
  contextSize: number;
  /** Layers offloaded to the GPU. */
  gpuLayers: number;
  /** Parallel sequences (each has its own KV cache). */
  sequences: number;
}

/** Metadata keys never needed for an estimate: large tokenizer arrays. */
const skippedKeys = [
  'tokenizer.ggml.tokens',
  'tokenizer.ggml.scores',
  'tokenizer.ggml.token_type',
  'tokenizer.ggml.merges',
];

/** A GGUF file read once, estimated at any plan. */
export interface GgufModelFile {
  /** Facts from the header. */
  facts: GgufFacts;
  /** What loading it with `plan` needs. */
  estimate(plan: GgufLoadPlan): Promise<ResourceNeed>;
}

/** Reads the header of a GGUF file. Throws when it is not a GGUF file. */
export async function readGgufModel(file: string): Promise<GgufModelFile> {
  const { readGgufFileInfo, GgufInsights, GgufFileType } = await importNodeLlamaCpp();
  const [info, stats] = await Promise.all([
    readGgufFileInfo(file, { ignoreKeys: skippedKeys, logWarnings: false }),
    fs.stat(file),
  ]);
  const insights = await GgufInsights.from(info);
  const general = info.metadata.general;
  const fileType = general.file_type === undefined ? undefined : GgufFileType[general.file_type];
  const facts: GgufFacts = {
    architecture: String(general.architecture),
    ...(general.name === undefined ? {} : { name: general.name }),
    parameters: insights.totalParameters,
    parameterSize: parameterLabel(insights.totalParameters),
    ...(fileType === undefined ? {} : { quantization: fileType.replace(/^(MOSTLY|ALL)_/, '') }),
    ...(insights.trainContextSize === undefined
      ? {}
      : { trainContextSize: insights.trainContextSize }),
    totalLayers: insights.totalLayers,
    fileBytes: stats.size,
  };

  async function contextNeed(contextSize: number, plan: GgufLoadPlan) {
    return insights.estimateContextResourceRequirementsV2({
      contextSize,
      modelGpuLayers: plan.gpuLayers,
      sequences: plan.sequences,
    });
  }

  return {
    facts,
    async estimate(plan) {
      const contextSize = Math.min(plan.contextSize, facts.trainContextSize ?? plan.contextSize);
      const weights = await insights.estimateModelResourceRequirementsV2({
        gpuLayers: plan.gpuLayers,
      });
      const context = await contextNeed(contextSize, plan);
      // The cache grows linearly with the context: two estimates give the cost per token.
      const doubled = await contextNeed(contextSize * 2, plan);
      const perToken = Math.max(
        0,
        (doubled.cpuRam + doubled.gpuVram - context.cpuRam - context.gpuVram) /
          contextSize /
          plan.sequences,
      );
      return {
        ramBytes: Math.round(weights.cpuRam + context.cpuRam),
        vramBytes: Math.round(weights.gpuVram + context.gpuVram),
        diskBytes: facts.fileBytes,
        weightsBytes: insights.modelSize,
        kvCacheBytes: Math.round(perToken * contextSize * plan.sequences),
        kvBytesPerToken: Math.round(perToken),
        contextSize,
        gpuLayers: plan.gpuLayers,
        totalLayers: facts.totalLayers,
        parameters: facts.parameters,
        basis: 'gguf-metadata',
      };
    },
  };
}

/** `1234567890` → `1.2B`, `350000000` → `350M`. */
export function parameterLabel(parameters: number): string {
  if (parameters >= 1e9) return `${(parameters / 1e9).toFixed(1)}B`;
  if (parameters >= 1e6) return `${Math.round(parameters / 1e6)}M`;
  if (parameters >= 1e3) return `${Math.round(parameters / 1e3)}K`;
  return String(parameters);
}
