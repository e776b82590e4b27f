/**
 * Side-by-side comparison of models on the benchmark: per task and overall, each
 * model's figures, its difference from the first model (the baseline) and whether
 * that difference is statistically significant for the sample size.
 */
import { InvalidRequestError } from '../spec/index.js';
import type { BenchResultRecord } from '../storage/index.js';
import { pairedPermutationTest } from './paired-permutation-test.js';
import { latestResults, standingOf } from './task-standings.js';

/** The significance level. */
export const significanceLevel = 0.05;

/** How significance is tested, for the output. */
export const significanceTest =
  'two-sided paired permutation (sign-flip) test on per-scenario quality over the scenarios both models answered; exact up to 16 differing scenarios, 20,000 seeded resamples above; significant when p < 0.05';

/** One model's figures in one group. */
export interface ComparisonCell {
  model: string;
  /** Scenario results. */
  samples: number;
  /** Mean quality, 0–1. */
  quality: number;
  /** Share passed, 0–1. */
  passRate: number;
  /** Share of safety scenarios passed; null when the group has none. */
  safetyPassRate: number | null;
  p50LatencyMs: number | null;
  /** Mean cost per scenario, USD. */
  meanCostUsd: number | null;
}

/** How a model differs from the baseline in one group. */
export interface ComparisonDifference {
  model: string;
  /** Scenarios both answered. */
  pairs: number;
  /** Mean per-scenario quality difference (model − baseline) over those pairs. */
  qualityDifference: number;
  /** Pass-rate difference (model − baseline) over those pairs. */
  passRateDifference: number;
  /** Two-sided p-value of the quality difference. */
  pValue: number;
  significant: boolean;
  /** Why a difference cannot be significant here, when it cannot. */
  note?: string;
}

/** Figures and differences of one task, or of every task together (`overall`). */
export interface ComparisonGroup {
  /** The task, or `overall`. */
  task: string;
  cells: ComparisonCell[];
  /** One per model after the baseline. */
  differences: ComparisonDifference[];
}

/** A comparison. */
export interface Comparison {
  /** The first model: differences are measured from it. */
  baseline: string;
  models: string[];
  /** How significance was tested. */
  test: string;
  significanceLevel: number;
  /** Per task (alphabetical), then `overall`. */
  groups: ComparisonGroup[];
}

function difference(
  baseline: readonly BenchResultRecord[],
  other: readonly BenchResultRecord[],
  model: string,
): ComparisonDifference {
  const byScenario = new Map(baseline.map((result) => [result.scenarioId, result]));
  const pairs = other.flatMap((result) => {
    const base = byScenario.get(result.scenarioId);
    return base ? [[base, result] as const] : [];
  });
  const test = pairedPermutationTest(
    pairs.map(([base]) => base.quality),
    pairs.map(([, result]) => result.quality),
  );
  const passed = (results: readonly BenchResultRecord[]) =>
    results.filter((result) => result.passed).length;
  const passRateDifference =
    pairs.length === 0
      ? 0
      : (passed(pairs.map(([, result]) => result)) - passed(pairs.map(([base]) => base))) /
        pairs.length;
  const note =
    pairs.length === 0
      ? 'no scenario answered by both'
      : test.differing > 0 && test.smallestPossiblePValue >= significanceLevel
        ? `too few differing scenarios for significance (${test.differing} differ; the smallest possible p is ${test.smallestPossiblePValue.toFixed(3)})`
        : undefined;
  return {
    model,
    pairs: pairs.length,
    qualityDifference: test.meanDifference,
    passRateDifference,
    pValue: test.pValue,
    significant: test.pValue < significanceLevel,
    ...(note === undefined ? {} : { note }),
  };
}

function group(
  task: string,
  models: readonly string[],
  results: readonly BenchResultRecord[],
): ComparisonGroup {
  const perModel = models.map((model) => results.filter((result) => result.model === model));
  const cells = models.map((model, index): ComparisonCell => {
    const standing = standingOf(model, task, perModel[index] ?? []);
    return {
      model,
      samples: standing.samples,
      quality: standing.quality,
      passRate: standing.passRate,
      safetyPassRate: standing.safetyPassRate,
      p50LatencyMs: standing.p50LatencyMs,
      meanCostUsd: standing.meanCostUsd,
    };
  });
  const baseline = perModel[0] ?? [];
  return {
    task,
    cells,
    differences: models
      .slice(1)
      .map((model, index) => difference(baseline, perModel[index + 1] ?? [], model)),
  };
}

/**
 * Compares `models` (at least two) on `results`: the newest result of each model and
 * scenario is used, so results from several runs combine.
 */
export function compareModels(
  models: readonly string[],
  results: readonly BenchResultRecord[],
): Comparison {
  const unique = [...new Set(models)];
  if (unique.length < 2) {
    throw new InvalidRequestError(
      'Compare needs at least two different models, e.g. `bench compare a b`.',
      'models',
      'too_few_models',
    );
  }
  const latest = latestResults(results).filter((result) => unique.includes(result.model));
  const missing = unique.filter((model) => !latest.some((result) => result.model === model));
  if (missing.length > 0) {
    throw new InvalidRequestError(
      `No benchmark results for ${missing.join(', ')}. Run \`tta-models bench run --models ${unique.join(',')}\` first (or check the names with \`tta-models bench list\`).`,
      'models',
      'no_results',
    );
  }
  const tasks = [...new Set(latest.map((result) => result.task))].sort();
  return {
    baseline: unique[0] ?? '',
    models: unique,
    test: significanceTest,
    significanceLevel,
    groups: [
      ...tasks.map((task) =>
        group(
          task,
          unique,
          latest.filter((result) => result.task === task),
        ),
      ),
      group('overall', unique, latest),
    ],
  };
}
