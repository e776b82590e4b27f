/**
 * What to do instead when a local model does not fit: pure functions of what it needs,
 * what the machine has, and what else is configured.
 */
import type { LocalModelInfo, ResourceNeed } from '../spec/local-model.js';
import { formatBytes } from './byte-size.js';

/** Memory a load may use: main memory and GPU memory, after margins and the budget. */
export interface UsableMemory {
  /** Main memory a new model may take, bytes. */
  ramBytes: number;
  /** GPU memory a new model may take, bytes. */
  vramBytes: number;
}

/** One way out, with the setting or model it names. */
export interface Recommendation {
  kind:
    | 'smaller-context'
    | 'lower-quantisation'
    | 'fewer-gpu-layers'
    | 'smaller-model'
    | 'cloud-model';
  /** What to do, in a sentence. */
  message: string;
  /** For `smaller-context`: the context size that fits. */
  contextSize?: number;
  /** For `fewer-gpu-layers`: the layers that fit. */
  gpuLayers?: number;
  /** For `lower-quantisation`: the quantisation that fits, e.g. `Q4_K_M`. */
  quantization?: string;
  /** For `smaller-model` and `cloud-model`: the model name, `<provider>/<model>`. */
  model?: string;
  /** What the alternative needs in main memory, bytes, when known. */
  ramBytes?: number;
}

/** Bits per weight of common GGUF quantisations, from large to small. */
const quantisations: Array<[string, number]> = [
  ['Q4_K_M', 4.85],
  ['Q3_K_M', 3.9],
  ['Q2_K', 2.96],
];

/** Ways to run `model` (needing `need`) within `usable`, or something else instead. */
export function recommendAlternatives(input: {
  model: string;
  need: ResourceNeed;
  usable: UsableMemory;
  /** Other local models, described with their needs. */
  localModels: LocalModelInfo[];
  /** Models of configured cloud providers, `<provider>/<model>`. */
  cloudModels: string[];
}): Recommendation[] {
  const { need, usable } = input;
  const recommendations: Recommendation[] = [];
  const ramShort = need.ramBytes > usable.ramBytes;
  const vramShort = need.vramBytes > usable.vramBytes;
  const gpuShare = need.totalLayers > 0 ? need.gpuLayers / need.totalLayers : 0;

  if (ramShort && need.kvBytesPerToken > 0) {
    const kvOnCpu = need.kvCacheBytes * (1 - gpuShare);
    const room = usable.ramBytes - (need.ramBytes - kvOnCpu);
    const contextSize = Math.floor(room / (need.kvBytesPerToken * (1 - gpuShare)) / 256) * 256;
    if (contextSize >= 256 && contextSize < need.contextSize) {
      recommendations.push({
        kind: 'smaller-context',
        contextSize,
        ramBytes: Math.round(
          need.ramBytes - kvOnCpu + contextSize * need.kvBytesPerToken * (1 - gpuShare),
        ),
        message: `use a smaller context: contextSize: ${contextSize} fits (now ${need.contextSize})`,
      });
    }
  }

  if ((ramShort || vramShort) && need.parameters !== undefined && need.parameters > 0) {
    const bits = (need.weightsBytes * 8) / need.parameters;
    for (const [name, targetBits] of quantisations) {
      if (targetBits >= bits - 0.25) continue;
      const saved = need.weightsBytes - (need.parameters * targetBits) / 8;
      const ramBytes = need.ramBytes - saved * (1 - gpuShare);
      const vramBytes = need.vramBytes - saved * gpuShare;
      if (ramBytes <= usable.ramBytes && vramBytes <= usable.vramBytes) {
        recommendations.push({
          kind: 'lower-quantisation',
          quantization: name,
          ramBytes: Math.round(ramBytes),
          message: `use a ${name} file of the same model (about ${formatBytes(ramBytes)} of RAM)`,
        });
        break;
      }
    }
  }

  if (vramShort && need.gpuLayers > 0) {
    const perLayer = need.vramBytes / need.gpuLayers;
    const gpuLayers = Math.max(0, Math.floor(usable.vramBytes / perLayer));
    const ramBytes = need.ramBytes + (need.gpuLayers - gpuLayers) * perLayer;
    if (ramBytes <= usable.ramBytes) {
      recommendations.push({
        kind: 'fewer-gpu-layers',
        gpuLayers,
        ramBytes: Math.round(ramBytes),
        message:
          gpuLayers === 0
            ? 'run it on the CPU only: gpuLayers: 0'
            : `offload fewer layers: gpuLayers: ${gpuLayers} (now ${need.gpuLayers})`,
      });
    }
  }

  const smaller = input.localModels
    .filter(
      (model) =>
        model.need !== undefined &&
        `${model.providerId}/${model.id}` !== input.model &&
        model.need.ramBytes <= usable.ramBytes &&
        model.need.vramBytes <= usable.vramBytes,
    )
    .sort((left, right) => (right.need?.ramBytes ?? 0) - (left.need?.ramBytes ?? 0))
    .slice(0, 3);
  for (const model of smaller) {
    const name = `${model.providerId}/${model.id}`;
    recommendations.push({
      kind: 'smaller-model',
      model: name,
      ...(model.need ? { ramBytes: model.need.ramBytes } : {}),
      message: `use the local model ${name} (needs about ${formatBytes(model.need?.ramBytes ?? 0)})`,
    });
  }

  for (const model of input.cloudModels.slice(0, 5)) {
    recommendations.push({ kind: 'cloud-model', model, message: `use the cloud model ${model}` });
  }
  return recommendations;
}
