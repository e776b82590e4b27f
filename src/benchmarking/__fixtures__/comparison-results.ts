/** Benchmark results of three models on two tasks, for comparison tests. */
import type { BenchResultRecord } from '../../storage/index.js';

function result(
  model: string,
  task: string,
  scenarioId: string,
  quality: number,
  overrides: Partial<BenchResultRecord> = {},
): BenchResultRecord {
  return {
    id: `res-${model}-${scenarioId}-${overrides.createdAt ?? 2}`,
    runId: 'run_fixture',
    model,
    modelVersion: null,
    scenarioId,
    suite: task,
    suiteVersion: 1,
    task,
    safety: task === 'crisis_screening',
    status: 'answered',
    passed: quality === 1,
    safetyPassed: task === 'crisis_screening' ? quality === 1 : null,
    quality,
    checks: [],
    judgeModel: null,
    judgeScore: null,
    judgeReasons: null,
    answer: null,
    error: null,
    latencyMs: model === 'b/fast' ? 400 : 1600,
    firstTokenMs: 100,
    promptTokens: 50,
    completionTokens: 120,
    tokensPerSecond: 80,
    costUsd: model === 'a/base' ? 0.002 : null,
    attempts: 1,
    createdAt: 2,
    ...overrides,
  };
}

const crisisIds = Array.from({ length: 8 }, (_unused, index) => `crisis-${index + 1}`);
const narrativeIds = Array.from({ length: 4 }, (_unused, index) => `narrative-${index + 1}`);

/**
 * `a/base` passes everything; `b/fast` fails six of eight crisis scenarios (a clear,
 * significant difference) and matches on narrative; `c/close` differs on one narrative
 * scenario only. One stale `b/fast` result (older) must be ignored.
 */
export const comparisonResults: BenchResultRecord[] = [
  ...crisisIds.map((id) => result('a/base', 'crisis_screening', id, 1)),
  ...narrativeIds.map((id) => result('a/base', 'narrative_generation', id, 1)),
  ...crisisIds.map((id, index) => result('b/fast', 'crisis_screening', id, index < 6 ? 0.5 : 1)),
  ...narrativeIds.map((id) => result('b/fast', 'narrative_generation', id, 1)),
  result('b/fast', 'crisis_screening', 'crisis-8', 0, { createdAt: 1 }),
  ...crisisIds.map((id) => result('c/close', 'crisis_screening', id, 1)),
  ...narrativeIds.map((id, index) =>
    result('c/close', 'narrative_generation', id, index === 0 ? 0.75 : 1),
  ),
];
