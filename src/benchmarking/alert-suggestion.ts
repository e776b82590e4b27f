/**
 * What to do about an alert, concretely: a model that scored as well on the task and
 * is faster, cheaper, more reliable or safer; a lower max_tokens; a local model that
 * fits this machine.
 */
import type { AlertMetric } from '../storage/index.js';
import type { LiveStats } from './live-stats.js';
import type { TaskStanding } from './task-standings.js';

/** A suggestion attached to an alert. */
export interface AlertSuggestion {
  kind:
    | 'switch-model'
    | 'add-fallback'
    | 'lower-max-tokens'
    | 'local-model'
    | 'benchmark'
    | 'investigate';
  /** What to do, in a sentence or two. */
  text: string;
  /** The model suggested, when there is one. */
  model?: string;
}

/** What suggestions are drawn from. */
export interface SuggestionContext {
  /** Benchmark standings of every model (every task). */
  standings: readonly TaskStanding[];
  /** Live figures per model over the window. */
  live: readonly LiveStats[];
  /** Local models that fit this machine now. */
  fittingLocalModels: readonly string[];
}

/** "Scored as well": at most this much lower mean quality. */
const qualityTolerance = 0.02;

/** A model's standing on a task, or its mean over every task for `task` null. */
function standingFor(
  standings: readonly TaskStanding[],
  model: string,
  task: string | null,
): TaskStanding | undefined {
  const own = standings.filter(
    (standing) => standing.model === model && (task === null || standing.task === task),
  );
  if (own.length === 0) return undefined;
  if (own.length === 1) return own[0];
  const mean = (values: Array<number | null>) => {
    const known = values.filter((value): value is number => value !== null);
    return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0) / known.length;
  };
  return {
    ...(own[0] as TaskStanding),
    task: 'all tasks',
    quality: mean(own.map((standing) => standing.quality)) ?? 0,
    safetyPassRate: mean(own.map((standing) => standing.safetyPassRate)),
    p50LatencyMs: mean(own.map((standing) => standing.p50LatencyMs)),
    meanCostUsd: mean(own.map((standing) => standing.meanCostUsd)),
    meanCompletionTokens: mean(own.map((standing) => standing.meanCompletionTokens)),
    samples: own.reduce((sum, standing) => sum + standing.samples, 0),
  };
}

const seconds = (ms: number | null) => (ms === null ? 'unknown' : `${(ms / 1000).toFixed(1)} s`);
const usd = (value: number | null) =>
  value === null ? 'unknown' : `$${value.toFixed(value < 0.01 ? 5 : 3)}`;

/** A suggestion for an alert on `model` (and `task`, null for every task). */
export function suggestFor(
  metric: AlertMetric,
  model: string,
  task: string | null,
  context: SuggestionContext,
): AlertSuggestion {
  const taskName = task ?? 'all tasks';
  const own = standingFor(context.standings, model, task);
  const others = [...new Set(context.standings.map((standing) => standing.model))]
    .filter((other) => other !== model)
    .flatMap((other) => {
      const standing = standingFor(context.standings, other, task);
      return standing ? [standing] : [];
    });
  const asGood = others.filter(
    (other) =>
      own === undefined ||
      (other.quality >= own.quality - qualityTolerance &&
        (own.safetyPassRate === null ||
          other.safetyPassRate === null ||
          other.safetyPassRate >= own.safetyPassRate)),
  );
  const quality = (standing: TaskStanding) => standing.quality.toFixed(2);
  const versus = own ? ` (vs ${quality(own)})` : '';

  if (metric === 'p95_latency_ms') {
    const faster = asGood
      .filter(
        (other) =>
          other.p50LatencyMs !== null &&
          (own?.p50LatencyMs == null || other.p50LatencyMs < own.p50LatencyMs),
      )
      .sort((left, right) => (left.p50LatencyMs ?? 0) - (right.p50LatencyMs ?? 0))[0];
    if (faster) {
      return {
        kind: 'switch-model',
        model: faster.model,
        text: `Use ${faster.model} for ${taskName}: it scored ${quality(faster)} quality${versus} on the benchmark with a median latency of ${seconds(faster.p50LatencyMs)} (vs ${seconds(own?.p50LatencyMs ?? null)}).`,
      };
    }
  }
  if (metric === 'cost_per_day_usd') {
    const cheaper = asGood
      .filter(
        (other) =>
          other.meanCostUsd !== null &&
          (own?.meanCostUsd == null || other.meanCostUsd < own.meanCostUsd),
      )
      .sort((left, right) => (left.meanCostUsd ?? 0) - (right.meanCostUsd ?? 0))[0];
    if (cheaper) {
      return {
        kind: 'switch-model',
        model: cheaper.model,
        text: `Use ${cheaper.model} for ${taskName}: it scored ${quality(cheaper)} quality${versus} at ${usd(cheaper.meanCostUsd)} per benchmark scenario (vs ${usd(own?.meanCostUsd ?? null)}).`,
      };
    }
  }
  if (metric === 'error_rate') {
    const reliable = asGood
      .map((other) => ({ other, live: context.live.find((stats) => stats.model === other.model) }))
      .filter(({ live }) => live === undefined || live.errorRate < 0.05)
      .sort((left, right) => right.other.quality - left.other.quality)[0];
    if (reliable) {
      return {
        kind: 'add-fallback',
        model: reliable.other.model,
        text: `Put ${reliable.other.model} after ${model} in a route (routes: in config.yaml) so failures fall back to it: it scored ${quality(reliable.other)} quality${versus} on ${taskName}${reliable.live ? ` and fails ${(reliable.live.errorRate * 100).toFixed(0)}% of live requests` : ''}.`,
      };
    }
  }
  if (metric === 'safety_pass_rate') {
    const safer = others
      .filter(
        (other) =>
          other.safetyPassRate !== null && other.safetyPassRate > (own?.safetyPassRate ?? 0),
      )
      .sort(
        (left, right) =>
          (right.safetyPassRate ?? 0) - (left.safetyPassRate ?? 0) || right.quality - left.quality,
      )[0];
    if (safer) {
      return {
        kind: 'switch-model',
        model: safer.model,
        text: `Use ${safer.model} for ${taskName}: it passed ${((safer.safetyPassRate ?? 0) * 100).toFixed(0)}% of the safety scenarios (vs ${((own?.safetyPassRate ?? 0) * 100).toFixed(0)}%). Keep ${model} away from safety-critical tasks until it passes.`,
      };
    }
    return {
      kind: 'benchmark',
      text: `Keep ${model} away from ${taskName} and benchmark alternatives: tta-models bench run --task ${task ?? 'crisis_screening'} --models ${model},<other models>.`,
    };
  }
  const live = context.live.find((stats) => stats.model === model);
  const tokens = own?.meanCompletionTokens ?? live?.meanCompletionTokens ?? null;
  if (
    (metric === 'p95_latency_ms' || metric === 'cost_per_day_usd') &&
    tokens !== null &&
    tokens > 64
  ) {
    const cap = Math.max(64, Math.ceil((tokens * 1.2) / 32) * 32);
    return {
      kind: 'lower-max-tokens',
      text: `Lower max_tokens for ${taskName} on ${model} to about ${cap}: its answers average ${Math.round(tokens)} completion tokens, and a cap trims the long, slow, costly tail.`,
    };
  }
  const local = context.fittingLocalModels.find((name) => name !== model);
  if (local) {
    const benchmarked = context.standings.some((standing) => standing.model === local);
    return {
      kind: 'local-model',
      model: local,
      text: `Try the local model ${local}, which fits this machine${benchmarked ? '' : ` (benchmark it first: tta-models bench run --models ${local}${task ? ` --task ${task}` : ''})`}.`,
    };
  }
  return {
    kind: 'investigate',
    text: `No benchmarked alternative scored as well on ${taskName}. Check tta-models providers and GET /api/health/models for ${model}, and benchmark other models: tta-models bench run --models ${model},<others>${task ? ` --task ${task}` : ''}.`,
  };
}
