/**
 * The benchmark store as promotion and migration suggestions read it: the newest result
 * of a model, and its mean quality. Adapts `gateway.benchmarks` (task standings) without
 * versions/ knowing how benchmarks are run or stored.
 */
import type { TaskScore } from '../spec/index.js';
import type { BenchmarkEvidence } from './benchmark-gate.js';

/** What the adapter reads: every model's standing per task. */
export interface StandingsSource {
  standings(task?: string): readonly TaskScore[];
}

/** Benchmark evidence and quality from a standings source. */
export function benchmarkEvidenceFrom(
  source: StandingsSource,
): BenchmarkEvidence & { quality(model: string): number | undefined } {
  const of = (model: string) => source.standings().filter((standing) => standing.model === model);
  return {
    async latest(model) {
      const standings = of(model);
      if (standings.length === 0) return undefined;
      const newest = standings.reduce((latest, standing) =>
        standing.measuredAt > latest.measuredAt ? standing : latest,
      );
      const tasks = standings
        .map((standing) => `${standing.task} ${standing.quality.toFixed(2)}`)
        .join(', ');
      return {
        measuredAt: newest.measuredAt,
        // Benchmarks record the model an answer reported, not a registry version id.
        ...(newest.modelVersion?.startsWith('ver_') ? { modelVersion: newest.modelVersion } : {}),
        summary: `quality ${tasks} (${standings.reduce((sum, standing) => sum + standing.samples, 0)} scenario results)`,
      };
    },
    quality(model) {
      const standings = of(model);
      if (standings.length === 0) return undefined;
      return standings.reduce((sum, standing) => sum + standing.quality, 0) / standings.length;
    },
  };
}
