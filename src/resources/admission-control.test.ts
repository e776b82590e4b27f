import { describe, expect, it } from 'vitest';
import type { LocalModelInfo, ResourceNeed } from '../spec/local-model.js';
import { createAdmissionControl } from './admission-control.js';
import { InsufficientResourcesError } from './insufficient-resources-error.js';
import { createFixedProbe, type SystemSnapshot } from './system-probe.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function machine(availableBytes: number, gpus: SystemSnapshot['gpus'] = []): SystemSnapshot {
  return {
    takenAt: 0,
    memory: { totalBytes: 16 * GiB, availableBytes, usedBytes: 16 * GiB - availableBytes },
    process: { rssBytes: 100 * MiB, heapUsedBytes: 50 * MiB },
    cpu: { model: 'test', logicalCores: 2, physicalCores: 2, loadAverage1m: 0 },
    gpus,
  };
}

/** An 8-bit 1.6B-parameter model at 4096 tokens: 1.5 GiB of weights, 0.5 GiB of cache. */
const bigNeed: ResourceNeed = {
  ramBytes: 2 * GiB,
  vramBytes: 0,
  diskBytes: 1.5 * GiB,
  weightsBytes: 1.5 * GiB,
  kvCacheBytes: 512 * MiB,
  kvBytesPerToken: (512 * MiB) / 4096,
  contextSize: 4096,
  gpuLayers: 0,
  totalLayers: 29,
  parameters: 1.6e9,
  basis: 'gguf-metadata',
};

const smallModel: LocalModelInfo = {
  providerId: 'local',
  id: 'small',
  sizeBytes: 300 * MiB,
  loaded: false,
  need: { ...bigNeed, ramBytes: 400 * MiB, weightsBytes: 300 * MiB, parameters: 5e8 },
};

function admission(availableBytes: number, extra: { memoryBudget?: string } = {}) {
  return createAdmissionControl({
    probe: createFixedProbe(machine(availableBytes)),
    config: { safetyMargin: 0, ...extra },
    localModels: async () => [smallModel],
    cloudModels: async () => ['openrouter/meta-llama/llama-3.1-8b-instruct:free'],
  });
}

describe('admission control', () => {
  it('refuses a model needing 2 GiB on a machine with 1 GiB free, and says what would work', async () => {
    const control = admission(1 * GiB);
    const failure = await control
      .admit({ providerId: 'local', modelId: 'big', need: bigNeed })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InsufficientResourcesError);
    const error = failure as InsufficientResourcesError;
    expect(error).toMatchObject({ status: 503, code: 'insufficient_resources', isRetryable: true });
    expect(error.message).toContain('Not enough memory to load local/big');
    expect(error.message).toContain('it needs 2.0 GiB of RAM; 1.0 GiB is available');
    expect(error.decision.recommendations).toMatchObject([
      { kind: 'smaller-model', model: 'local/small' },
      { kind: 'cloud-model', model: 'openrouter/meta-llama/llama-3.1-8b-instruct:free' },
    ]);
    // The HTTP body carries the recommendations beside the message.
    expect(error.toJSON().error.recommendations).toHaveLength(2);
  });

  it('recommends a 4-bit file of the same model when that would fit', async () => {
    const decision = await admission(1.5 * GiB).check({
      providerId: 'local',
      modelId: 'big',
      need: bigNeed,
    });
    expect(decision.recommendations[0]).toMatchObject({
      kind: 'lower-quantisation',
      quantization: 'Q4_K_M',
    });
    expect(decision.recommendations[0]?.ramBytes).toBeLessThanOrEqual(1.5 * GiB);
  });

  it('recommends a smaller context when the cache is what does not fit', async () => {
    const decision = await admission(1.8 * GiB).check({
      providerId: 'local',
      modelId: 'big',
      need: bigNeed,
    });
    expect(decision.admitted).toBe(false);
    expect(decision.recommendations[0]).toMatchObject({ kind: 'smaller-context' });
    const contextSize = decision.recommendations[0]?.contextSize ?? 0;
    expect(contextSize).toBeGreaterThanOrEqual(256);
    expect(contextSize).toBeLessThan(4096);
    expect(decision.recommendations[0]?.ramBytes).toBeLessThanOrEqual(1.8 * GiB);
  });

  it('admits a model that fits, and keeps the safety margin and the budget', async () => {
    await expect(
      admission(3 * GiB).admit({ providerId: 'local', modelId: 'big', need: bigNeed }),
    ).resolves.toBeUndefined();
    const budgeted = await admission(8 * GiB, { memoryBudget: '1GiB' }).check({
      providerId: 'local',
      modelId: 'big',
      need: bigNeed,
    });
    expect(budgeted.admitted).toBe(false);
    expect(budgeted.shortfalls[0]).toContain('resources.memoryBudget');
    const margin = await createAdmissionControl({
      probe: createFixedProbe(machine(2.5 * GiB)),
      config: { safetyMargin: '1GiB' },
    }).check({ providerId: 'local', modelId: 'big', need: bigNeed });
    expect(margin.admitted).toBe(false);
    expect(margin.shortfalls[0]).toContain('resources.safetyMargin');
  });

  it('recommends fewer GPU layers when GPU memory is short', async () => {
    const control = createAdmissionControl({
      probe: createFixedProbe(
        machine(8 * GiB, [
          {
            index: 0,
            name: 'test GPU',
            vendor: 'NVIDIA',
            totalVramBytes: 4 * GiB,
            freeVramBytes: 1 * GiB,
            source: 'nvidia-smi',
          },
        ]),
      ),
      config: { safetyMargin: 0 },
    });
    const decision = await control.check({
      providerId: 'local',
      modelId: 'big',
      need: { ...bigNeed, ramBytes: 200 * MiB, vramBytes: 2 * GiB, gpuLayers: 29 },
    });
    expect(decision.admitted).toBe(false);
    expect(decision.recommendations.find((item) => item.kind === 'fewer-gpu-layers')).toMatchObject(
      {
        gpuLayers: 13,
      },
    );
  });
});
