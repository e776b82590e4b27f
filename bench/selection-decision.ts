/**
 * Cost of one selection decision on a 500-model catalog (goal: under 100 µs at p99),
 * uncached, against a baseline of copying the candidate list in the same run. Pure
 * in-process work: no I/O.
 */

import { type Candidate, type LiveFigures, selectModels } from '../src/selection/select-models.js';
import { loadTaskProfiles } from '../src/selection/task-profile.js';
import type { TaskScore } from '../src/spec/index.js';
import { summarize } from './percentiles.js';

const modelCount = 500;
const iterations = 5_000;
const profiles = loadTaskProfiles();
const tasks = [...profiles.values()];

// A deterministic catalog: a spread of windows, prices, parameters and locality.
const candidates: Candidate[] = Array.from({ length: modelCount }, (_, index) => ({
  name: `provider${index % 7}/model-${index}`,
  local: index % 11 === 0,
  contextLength: [4_096, 8_192, 32_768, 128_000][index % 4] as number,
  supportedParameters: index % 3 === 0 ? ['tools', 'response_format'] : ['temperature'],
  completionPrice: (index % 13) * 1e-7,
  isFree: index % 5 === 0,
}));
const scores = new Map<string, TaskScore>(
  candidates
    .filter((_, index) => index % 2 === 0)
    .map((candidate, index) => [
      candidate.name,
      {
        model: candidate.name,
        task: 'any',
        quality: (index % 10) / 10,
        safetyPassRate: (index % 4) / 3,
        samples: 20,
        p50LatencyMs: 500 + index,
        measuredAt: 0,
      },
    ]),
);
const live = new Map<string, LiveFigures>(
  candidates
    .filter((_, index) => index % 4 === 0)
    .map((candidate, index) => [
      candidate.name,
      {
        errorRate: (index % 5) / 20,
        p95LatencyMs: 800 + index * 3,
        samples: 100,
        unwell: index % 17 === 0,
      },
    ]),
);
const policy = {
  safetyThreshold: 0.9,
  allowUnbenchmarkedForSafety: false,
  excludeProviders: [],
  chainLength: 3,
};

function measure(run: (index: number) => unknown): number[] {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = process.hrtime.bigint();
    run(index);
    samples.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  return samples;
}

// Warm up the JIT on both.
measure(() => candidates.slice());
measure((index) =>
  selectModels({
    profile: tasks[index % tasks.length] as (typeof tasks)[number],
    candidates,
    scores,
    live,
    doesNotFitNow: new Set(),
    preferences: {},
    policy,
  }),
);

const baseline = summarize(measure(() => candidates.map((candidate) => ({ ...candidate }))));
const decision = summarize(
  measure((index) =>
    selectModels({
      profile: tasks[index % tasks.length] as (typeof tasks)[number],
      candidates,
      scores,
      live,
      doesNotFitNow: new Set(),
      preferences: {},
      policy,
    }),
  ),
);
const line = '─'.repeat(80);
console.log(
  `\nSelection decision on ${modelCount} models, ${iterations} decisions over ${tasks.length} tasks (uncached; the hot path reuses a decision for selection.cacheMs).`,
);
console.log(line);
console.log(`${'figure'.padEnd(36)}${'p50 (µs)'.padStart(10)}${'p99 (µs)'.padStart(10)}   goal`);
console.log(line);
console.log(
  `${'baseline: copy 500 candidates'.padEnd(36)}${baseline.p50.toFixed(1).padStart(10)}${baseline.p99.toFixed(1).padStart(10)}`,
);
console.log(
  `${'selection decision'.padEnd(36)}${decision.p50.toFixed(1).padStart(10)}${decision.p99.toFixed(1).padStart(10)}   p99 < 100 µs: ${decision.p99 < 100 ? 'met' : 'NOT MET'} (${(decision.p99 / baseline.p99).toFixed(1)}× baseline)`,
);
console.log(line);
