import { describe, expect, it } from 'vitest';
import type { TaskScore } from '../spec/index.js';
import { benchmarkEvidenceFrom } from './benchmark-evidence.js';
import { checkBenchmark } from './benchmark-gate.js';

const day = 86_400_000;
const now = Date.parse('2025-05-20T00:00:00Z');

function standing(model: string, task: string, quality: number, measuredAt: number): TaskScore {
  return {
    model,
    task,
    quality,
    safetyPassRate: 1,
    samples: 4,
    p50LatencyMs: 900,
    measuredAt,
    // What the runner records: the model the answer reported, not a registry id.
    modelVersion: 'meta-llama/llama-3.3-70b-instruct',
  };
}

const evidence = benchmarkEvidenceFrom({
  standings: () => [
    standing('or/large', 'narrative_generation', 0.8, now - 2 * day),
    standing('or/large', 'dialogue_generation', 0.6, now - day),
    standing('or/old', 'narrative_generation', 0.9, now - 90 * day),
  ],
});
const gate = { required: true, maxAgeDays: 30, evidence, now };

describe('checkBenchmark', () => {
  it('passes a promotion with a recent result of the version, and says which', async () => {
    const check = await checkBenchmark('or/large', 'ver_1', {
      ...gate,
      versionSince: now - 3 * day,
    });
    expect(check.outcome).toBe('passed');
    expect(check.result).toEqual({
      measuredAt: now - day,
      summary: 'quality narrative_generation 0.80, dialogue_generation 0.60 (8 scenario results)',
    });
  });

  it('refuses without a result, with an old one, or one older than the version, saying what to do', async () => {
    await expect(checkBenchmark('or/new', 'ver_1', gate)).rejects.toMatchObject({
      status: 409,
      code: 'benchmark_required',
      message: expect.stringContaining('there is no benchmark result for or/new'),
    });
    await expect(checkBenchmark('or/old', 'ver_1', gate)).rejects.toThrow(
      /90 days old \(at most 30 allowed\).*--skip-benchmark/,
    );
    await expect(
      checkBenchmark('or/large', 'ver_2', { ...gate, versionSince: now - day / 2 }),
    ).rejects.toThrow(/predates this version/);
  });

  it('is skipped when not required or skipped on purpose, and refuses when no store is there', async () => {
    expect(await checkBenchmark('or/new', 'v', { ...gate, required: false })).toEqual({
      outcome: 'not-required',
    });
    expect(await checkBenchmark('or/new', 'v', { ...gate, skip: true })).toEqual({
      outcome: 'skipped',
    });
    await expect(checkBenchmark('or/new', 'v', { ...gate, evidence: undefined })).rejects.toThrow(
      /no benchmark store/,
    );
  });

  it('gives the mean quality for migration suggestions', () => {
    expect(evidence.quality('or/large')).toBeCloseTo(0.7);
    expect(evidence.quality('or/none')).toBeUndefined();
  });
});
