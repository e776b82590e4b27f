import { describe, expect, it } from 'vitest';
import { comparisonResults } from './__fixtures__/comparison-results.js';
import { compareModels } from './compare-models.js';

describe('compareModels on fixture data', () => {
  const comparison = compareModels(['a/base', 'b/fast', 'c/close'], comparisonResults);
  const group = (task: string) => comparison.groups.find((entry) => entry.task === task);

  it('groups per task, then overall, with each model side by side', () => {
    expect(comparison.groups.map((entry) => entry.task)).toEqual([
      'crisis_screening',
      'narrative_generation',
      'overall',
    ]);
    expect(group('crisis_screening')?.cells).toEqual([
      {
        model: 'a/base',
        samples: 8,
        quality: 1,
        passRate: 1,
        safetyPassRate: 1,
        p50LatencyMs: 1600,
        meanCostUsd: 0.002,
      },
      {
        model: 'b/fast',
        samples: 8,
        quality: 0.625,
        passRate: 0.25,
        safetyPassRate: 0.25,
        p50LatencyMs: 400,
        meanCostUsd: null,
      },
      {
        model: 'c/close',
        samples: 8,
        quality: 1,
        passRate: 1,
        safetyPassRate: 1,
        p50LatencyMs: 1600,
        meanCostUsd: null,
      },
    ]);
  });

  it('finds the crisis difference significant (exact test: 6 scenarios all worse, p = 2/64)', () => {
    expect(group('crisis_screening')?.differences[0]).toEqual({
      model: 'b/fast',
      pairs: 8,
      qualityDifference: -0.375,
      passRateDifference: -0.75,
      pValue: 2 / 64,
      significant: true,
    });
  });

  it('does not call a single differing scenario significant, and says why', () => {
    expect(group('narrative_generation')?.differences[1]).toMatchObject({
      model: 'c/close',
      pairs: 4,
      qualityDifference: -0.0625,
      pValue: 1,
      significant: false,
      note: 'too few differing scenarios for significance (1 differ; the smallest possible p is 1.000)',
    });
    expect(group('overall')?.differences[1]).toMatchObject({ pairs: 12, significant: false });
  });

  it('refuses fewer than two models, and models without results', () => {
    expect(() => compareModels(['a/base'], comparisonResults)).toThrow(
      /at least two different models/,
    );
    expect(() => compareModels(['a/base', 'z/none'], comparisonResults)).toThrow(
      /No benchmark results for z\/none/,
    );
  });
});
