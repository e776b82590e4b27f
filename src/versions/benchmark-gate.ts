/**
 * The benchmark a promotion can require: a result for the target model, recent enough,
 * and of the target version when the benchmark store records versions. Where results come
 * from is pluggable: the gateway passes whatever benchmark store it has.
 */
import { GatewayError } from '../spec/errors.js';

/** A benchmark result as the gate reads it. */
export interface BenchmarkEvidenceResult {
  /** When it was measured, epoch milliseconds. */
  measuredAt: number;
  /** The model version benchmarked, when the store records it. */
  modelVersion?: string;
  /** What it says, in words (`quality 0.82 on narrative_generation`). */
  summary: string;
}

/** Where promotion looks for benchmark results. */
export interface BenchmarkEvidence {
  /** The newest result for `model` (of `versionId` if the store knows versions), or undefined. */
  latest(model: string, versionId: string): Promise<BenchmarkEvidenceResult | undefined>;
}

/** What the gate decided, for the audit entry. */
export interface BenchmarkCheck {
  /** `passed`, `skipped` (by the caller, with a reason), or `not-required`. */
  outcome: 'passed' | 'skipped' | 'not-required';
  /** The result that passed it. */
  result?: BenchmarkEvidenceResult;
}

/** Options of {@link checkBenchmark}. */
export interface BenchmarkGateOptions {
  /** Whether promotion needs a benchmark. */
  required: boolean;
  /** How recent it must be, days. */
  maxAgeDays: number;
  /** The benchmark store, when the gateway has one. */
  evidence: BenchmarkEvidence | undefined;
  /** Now, epoch milliseconds. */
  now: number;
  /** When the target version was first seen: an older result benchmarked an older version. */
  versionSince?: number;
}

/**
 * Checks the benchmark a promotion to `model`@`versionId` needs. Throws a 409
 * `benchmark_required` that says what to run when it is missing or old.
 */
export async function checkBenchmark(
  model: string,
  versionId: string,
  options: BenchmarkGateOptions & { skip?: boolean },
): Promise<BenchmarkCheck> {
  if (!options.required) return { outcome: 'not-required' };
  if (options.skip) return { outcome: 'skipped' };
  const refuse = (why: string) =>
    new GatewayError(
      `Promotion to ${model} needs a benchmark (versions.requireBenchmark is on): ${why}. Benchmark it first, or pass --skip-benchmark (API: "skipBenchmark": true) with a reason; the audit log records the skip.`,
      { status: 409, type: 'invalid_request_error', code: 'benchmark_required' },
    );
  if (options.evidence === undefined) {
    throw refuse('this gateway has no benchmark store to look in');
  }
  const result = await options.evidence.latest(model, versionId);
  if (result === undefined) throw refuse(`there is no benchmark result for ${model}`);
  const ageDays = (options.now - result.measuredAt) / 86_400_000;
  if (ageDays > options.maxAgeDays) {
    throw refuse(
      `its newest result is ${Math.floor(ageDays)} days old (at most ${options.maxAgeDays} allowed)`,
    );
  }
  if (options.versionSince !== undefined && result.measuredAt < options.versionSince) {
    throw refuse(
      `its newest result (${new Date(result.measuredAt).toISOString().slice(0, 10)}) predates this version (first seen ${new Date(options.versionSince).toISOString().slice(0, 10)})`,
    );
  }
  if (result.modelVersion !== undefined && result.modelVersion !== versionId) {
    throw refuse(`its newest result is of version ${result.modelVersion}, not ${versionId}`);
  }
  return { outcome: 'passed', result };
}
