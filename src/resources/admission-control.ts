/**
 * Admission control: before a local model loads, its estimated need is compared with
 * what is free (less the operator's safety margin) and with the memory budget for local
 * models. A model that does not fit is refused with recommendations, so the machine
 * never chokes on a load that was bound to fail.
 */
import type { LocalLoadRequest, LocalModelInfo, ResourceNeed } from '../spec/local-model.js';
import { formatBytes } from './byte-size.js';
import { InsufficientResourcesError } from './insufficient-resources-error.js';
import {
  type Recommendation,
  recommendAlternatives,
  type UsableMemory,
} from './recommendations.js';
import { parseByteAmount, type ResourcesConfig } from './resources-config.js';
import type { SystemProbe, SystemSnapshot } from './system-probe.js';

/** What the machine has for a new local model. */
export interface MemoryAvailability extends UsableMemory {
  /** Main memory available now, bytes. */
  availableRamBytes: number;
  /** Free GPU memory now (all GPUs), bytes. */
  freeVramBytes: number;
  /** Memory kept free, bytes. */
  safetyMarginBytes: number;
  /** What is left of `resources.memoryBudget` after the local models already loaded, bytes (absent: no budget). */
  budgetLeftBytes?: number;
}

/** The verdict on one load. */
export interface AdmissionDecision {
  /** `<provider>/<model>`. */
  model: string;
  admitted: boolean;
  need: ResourceNeed;
  have: MemoryAvailability;
  /** Why it does not fit (empty when admitted). */
  shortfalls: string[];
  /** Ways out (empty when admitted). */
  recommendations: Recommendation[];
}

/** What admission control reads. */
export interface AdmissionOptions {
  probe: SystemProbe;
  config: Pick<ResourcesConfig, 'memoryBudget' | 'safetyMargin'>;
  /** Main memory held by local models loaded now, bytes. */
  loadedLocalBytes?: () => Promise<number>;
  /** Local models with their needs, for "a smaller model that fits". */
  localModels?: () => Promise<LocalModelInfo[]>;
  /** Models of cloud providers, `<provider>/<model>`. */
  cloudModels?: () => Promise<string[]>;
}

/** Works out what a new local model may use, from a snapshot. */
export function availability(
  snapshot: SystemSnapshot,
  config: AdmissionOptions['config'],
  loadedLocalBytes: number,
): MemoryAvailability {
  const total = snapshot.memory.totalBytes;
  const safetyMarginBytes = parseByteAmount(config.safetyMargin, total) ?? 0;
  const budget =
    config.memoryBudget === undefined ? undefined : parseByteAmount(config.memoryBudget, total);
  const budgetLeftBytes = budget === undefined ? undefined : Math.max(0, budget - loadedLocalBytes);
  const availableRamBytes = snapshot.memory.availableBytes;
  const freeVramBytes = snapshot.gpus.reduce(
    (sum, gpu) => sum + (gpu.freeVramBytes ?? gpu.totalVramBytes),
    0,
  );
  const ramBytes = Math.max(
    0,
    Math.min(availableRamBytes - safetyMarginBytes, budgetLeftBytes ?? Number.POSITIVE_INFINITY),
  );
  return {
    availableRamBytes,
    freeVramBytes,
    safetyMarginBytes,
    ...(budgetLeftBytes === undefined ? {} : { budgetLeftBytes }),
    ramBytes,
    // A tenth of GPU memory stays free for the driver and llama.cpp's buffers.
    vramBytes: Math.floor(freeVramBytes * 0.9),
  };
}

/** Why `need` does not fit in `have`, in sentences; empty when it fits. */
export function shortfallsOf(need: ResourceNeed, have: MemoryAvailability): string[] {
  const shortfalls: string[] = [];
  if (need.ramBytes > have.ramBytes) {
    const limit =
      have.budgetLeftBytes !== undefined &&
      have.budgetLeftBytes < have.availableRamBytes - have.safetyMarginBytes
        ? `${formatBytes(have.budgetLeftBytes)} is left of the memory budget for local models (resources.memoryBudget)`
        : `${formatBytes(have.availableRamBytes)} is available and ${formatBytes(have.safetyMarginBytes)} stays free (resources.safetyMargin)`;
    shortfalls.push(`it needs ${formatBytes(need.ramBytes)} of RAM; ${limit}`);
  }
  if (need.vramBytes > have.vramBytes) {
    shortfalls.push(
      `it needs ${formatBytes(need.vramBytes)} of GPU memory for ${need.gpuLayers} layers; ${formatBytes(have.vramBytes)} can be used`,
    );
  }
  return shortfalls;
}

/** Creates admission control over a probe. */
export function createAdmissionControl(options: AdmissionOptions) {
  async function check(request: LocalLoadRequest): Promise<AdmissionDecision> {
    const model = `${request.providerId}/${request.modelId}`;
    const [snapshot, loaded] = await Promise.all([
      options.probe.snapshot(),
      options.loadedLocalBytes?.() ?? 0,
    ]);
    const have = availability(snapshot, options.config, loaded);
    const { need } = request;
    const shortfalls = shortfallsOf(need, have);
    if (shortfalls.length === 0)
      return { model, admitted: true, need, have, shortfalls, recommendations: [] };
    const [localModels, cloudModels] = await Promise.all([
      options.localModels?.().catch(() => []) ?? [],
      options.cloudModels?.().catch(() => []) ?? [],
    ]);
    const recommendations = recommendAlternatives({
      model,
      need,
      usable: have,
      localModels,
      cloudModels,
    });
    return { model, admitted: false, need, have, shortfalls, recommendations };
  }

  return {
    /** The verdict, without acting on it. */
    check,
    /** Resolves when the model fits; throws {@link InsufficientResourcesError} when it does not. */
    async admit(request: LocalLoadRequest): Promise<void> {
      const decision = await check(request);
      if (!decision.admitted) throw new InsufficientResourcesError(request.providerId, decision);
    },
  };
}

/** Admission control of a gateway. */
export type AdmissionControl = ReturnType<typeof createAdmissionControl>;
