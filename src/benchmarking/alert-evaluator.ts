/**
 * Threshold alerts: each rule is evaluated for every model (and task) in its scope;
 * a crossing opens one alert (stored, POSTed to the webhook, with a suggestion), the
 * same condition holding later only updates it, and a measurement back within the
 * threshold clears it (and says so to the webhook).
 */
import type { ModelPricing } from '../spec/index.js';
import type {
  AlertMetric,
  AlertRecord,
  AlertStore,
  CostTotals,
  MetricsStore,
} from '../storage/index.js';
import { type AlertSuggestion, suggestFor } from './alert-suggestion.js';
import type { AlertNotification } from './alert-webhook.js';
import type { AlertRule, AlertsConfig } from './benchmarks-config.js';
import { estimateCost } from './estimate-cost.js';
import { globMatch } from './glob-match.js';
import { createLiveStats, type LiveStats } from './live-stats.js';
import { dayOf, dayStart } from './metrics-rollup.js';
import type { TaskStanding } from './task-standings.js';

/** What the evaluator reads and where it writes. */
export interface AlertEvaluatorDependencies {
  config: AlertsConfig;
  alerts: AlertStore;
  metrics: MetricsStore;
  /** Writes buffered request-log rows, so the window is complete. */
  flushRequests(): Promise<void>;
  /** Benchmark standings (in memory). */
  standings(): readonly TaskStanding[];
  /** Local models that fit this machine now. */
  fittingLocalModels?(): Promise<string[]>;
  /** Catalog prices, for requests whose upstream reported no cost. */
  pricing?(model: string): ModelPricing | undefined;
  /** Delivers a notification (the webhook); throws when it could not. Absent: nothing is sent. */
  notify?(notification: AlertNotification): Promise<void>;
  /** Told when a notification failed (it is also stored on the alert). */
  onNotifyError?(error: unknown, alert: AlertRecord): void;
  now?: () => number;
}

/** One measured condition. */
interface Measurement {
  metric: AlertMetric;
  model: string;
  /** Null: every task together. */
  task: string | null;
  value: number;
  threshold: number;
  firing: boolean;
}

/** What one evaluation did. */
export interface AlertEvaluation {
  /** Alerts opened now. */
  opened: AlertRecord[];
  /** Alerts cleared now. */
  cleared: AlertRecord[];
  /** Alerts open after the evaluation. */
  open: number;
}

/** One model's (or model and task's) cost so far today. */
export interface DailyCost {
  model: string;
  /** Null: every task together. */
  task: string | null;
  requests: number;
  costUsd: number;
}

/**
 * Today's cost per model and per model and task, from the database's per-group totals:
 * reported costs, plus catalog prices times the tokens of requests that reported none (and
 * the per-request fee once for each of them). The same figures, in the same order (busiest
 * first), as `liveStats` over the day's request rows, without loading them: the rows grow
 * with the traffic, the totals do not.
 */
export function dailyCosts(
  totals: readonly CostTotals[],
  pricing?: (model: string) => ModelPricing | undefined,
): { byModel: DailyCost[]; byTask: DailyCost[] } {
  const byModel = new Map<string, DailyCost>();
  const byTask = new Map<string, DailyCost>();
  const add = (groups: Map<string, DailyCost>, key: string, cost: DailyCost) => {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, cost);
    else {
      group.requests += cost.requests;
      group.costUsd += cost.costUsd;
    }
  };
  for (const group of totals) {
    const costUsd = group.reportedCostUsd + unpricedCost(group, pricing?.(group.model));
    const { model, task, requests } = group;
    // Tasks named and unnamed share one key, as in `liveStats`.
    add(byTask, `${model}\u0000${task ?? ''}`, { model, task, requests, costUsd });
    add(byModel, model, { model, task: null, requests, costUsd });
  }
  const busiestFirst = (left: DailyCost, right: DailyCost) =>
    right.requests - left.requests || left.model.localeCompare(right.model);
  return {
    byModel: [...byModel.values()].sort(busiestFirst),
    byTask: [...byTask.values()].sort(busiestFirst),
  };
}

/** What the requests of a group that reported no cost cost at catalog prices (0 without). */
function unpricedCost(group: CostTotals, pricing: ModelPricing | undefined): number {
  if (group.unpricedRequests === 0 || pricing === undefined) return 0;
  const usage = {
    prompt_tokens: group.unpricedPromptTokens,
    completion_tokens: group.unpricedCompletionTokens,
    total_tokens: group.unpricedPromptTokens + group.unpricedCompletionTokens,
  };
  // The per-request fee is charged once per request: scale it to the group.
  const fee = pricing.request;
  const scaled =
    fee === undefined ? pricing : { ...pricing, request: fee * group.unpricedRequests };
  return estimateCost(usage, scaled) ?? 0;
}

/** The key of a condition: one open alert per key at most. */
export function alertKey(metric: AlertMetric, model: string, task: string | null): string {
  return `${metric}|${model}|${task ?? '*'}`;
}

const describeValue: Record<AlertMetric, (value: number) => string> = {
  p95_latency_ms: (value) => `${Math.round(value)} ms`,
  error_rate: (value) => `${(value * 100).toFixed(1)}%`,
  safety_pass_rate: (value) => `${(value * 100).toFixed(0)}%`,
  cost_per_day_usd: (value) => `$${value.toFixed(2)}`,
};

const metricNames: Record<AlertMetric, string> = {
  p95_latency_ms: 'p95 latency',
  error_rate: 'error rate',
  safety_pass_rate: 'benchmark safety pass rate',
  cost_per_day_usd: 'cost today',
};

/** Measures every condition of every rule. */
function measure(
  rules: readonly AlertRule[],
  window: { byModel: LiveStats[]; byTask: LiveStats[] },
  today: { byModel: DailyCost[]; byTask: DailyCost[] },
  standings: readonly TaskStanding[],
  minimumRequests: number,
): Measurement[] {
  const measurements = new Map<string, Measurement>();
  const add = (measurement: Measurement) => {
    const key = alertKey(measurement.metric, measurement.model, measurement.task);
    const earlier = measurements.get(key);
    // Two rules on one condition: the stricter verdict wins.
    if (!earlier || (measurement.firing && !earlier.firing)) measurements.set(key, measurement);
  };
  for (const rule of rules) {
    const task = rule.task === '*' ? null : rule.task;
    const inScope = (stats: { model: string; task: string | null }) =>
      globMatch(rule.model, stats.model) && (task === null || stats.task === task);
    for (const stats of (task === null ? window.byModel : window.byTask).filter(inScope)) {
      if (stats.requests < minimumRequests) continue;
      if (rule.p95LatencyMs !== undefined && stats.p95LatencyMs !== null) {
        add({
          metric: 'p95_latency_ms',
          model: stats.model,
          task,
          value: stats.p95LatencyMs,
          threshold: rule.p95LatencyMs,
          firing: stats.p95LatencyMs > rule.p95LatencyMs,
        });
      }
      if (rule.errorRate !== undefined) {
        add({
          metric: 'error_rate',
          model: stats.model,
          task,
          value: stats.errorRate,
          threshold: rule.errorRate,
          firing: stats.errorRate > rule.errorRate,
        });
      }
    }
    if (rule.costPerDayUsd !== undefined) {
      for (const stats of (task === null ? today.byModel : today.byTask).filter(inScope)) {
        add({
          metric: 'cost_per_day_usd',
          model: stats.model,
          task,
          value: stats.costUsd,
          threshold: rule.costPerDayUsd,
          firing: stats.costUsd > rule.costPerDayUsd,
        });
      }
    }
    if (rule.safetyPassRate !== undefined) {
      // Safety is per task: a `*` rule watches every task that has safety scenarios.
      for (const standing of standings) {
        if (standing.safetyPassRate === null || !globMatch(rule.model, standing.model)) continue;
        if (task !== null && standing.task !== task) continue;
        add({
          metric: 'safety_pass_rate',
          model: standing.model,
          task: standing.task,
          value: standing.safetyPassRate,
          threshold: rule.safetyPassRate,
          firing: standing.safetyPassRate < rule.safetyPassRate,
        });
      }
    }
  }
  return [...measurements.values()];
}

/** Creates the evaluator of a gateway's alert rules. */
export function createAlertEvaluator(deps: AlertEvaluatorDependencies) {
  const now = deps.now ?? Date.now;
  let running: Promise<AlertEvaluation> | undefined;

  async function deliver(event: AlertNotification['event'], alert: AlertRecord): Promise<void> {
    if (!deps.notify) return;
    try {
      await deps.notify({ event, alert });
      await deps.alerts.notified(alert.id, null);
    } catch (error) {
      await deps.alerts.notified(alert.id, error instanceof Error ? error.message : String(error));
      deps.onNotifyError?.(error, alert);
    }
  }

  async function evaluateNow(): Promise<AlertEvaluation> {
    const at = now();
    await deps.flushRequests();
    const windowStart = at - deps.config.windowMinutes * 60_000;
    const todayStart = dayStart(dayOf(at));
    // Today's cost is summed by the database: a busy day's request rows never leave it. The
    // window's percentiles need every latency, so its rows are read, but a page at a time
    // and folded down to one number each: the event loop runs between pages.
    const options = deps.pricing ? { pricing: deps.pricing } : {};
    const windowByModel = createLiveStats(options);
    const windowByTask = createLiveStats({ ...options, byTask: true });
    const [, todayTotals, localModels] = await Promise.all([
      (async () => {
        for await (const page of deps.metrics.requestPages(windowStart, at + 1)) {
          windowByModel.add(page);
          windowByTask.add(page);
        }
      })(),
      deps.metrics.costTotals(todayStart, at + 1, { includeBenchmarks: true }),
      deps.fittingLocalModels?.().catch(() => []) ?? Promise.resolve([]),
    ]);
    const window = { byModel: windowByModel.stats(), byTask: windowByTask.stats() };
    const today = dailyCosts(todayTotals, deps.pricing);
    const standings = deps.standings();
    const measurements = measure(
      deps.config.rules,
      window,
      today,
      standings,
      deps.config.minimumRequests,
    );

    const opened: AlertRecord[] = [];
    for (const measurement of measurements.filter((candidate) => candidate.firing)) {
      const suggestion: AlertSuggestion = suggestFor(
        measurement.metric,
        measurement.model,
        measurement.task,
        {
          standings,
          live: window.byModel,
          fittingLocalModels: localModels,
        },
      );
      const alert = await deps.alerts.open({
        key: alertKey(measurement.metric, measurement.model, measurement.task),
        metric: measurement.metric,
        model: measurement.model,
        task: measurement.task,
        value: measurement.value,
        threshold: measurement.threshold,
        message: `${measurement.model}${measurement.task ? ` on ${measurement.task}` : ''}: ${metricNames[measurement.metric]} ${describeValue[measurement.metric](measurement.value)} crosses the threshold of ${describeValue[measurement.metric](measurement.threshold)}.`,
        suggestion,
      });
      if (alert) {
        opened.push(alert);
        await deliver('alert.opened', alert);
      }
    }

    // Clear alerts measured back within their threshold, and those no rule watches any more.
    const measured = new Map(
      measurements.map((measurement) => [
        alertKey(measurement.metric, measurement.model, measurement.task),
        measurement,
      ]),
    );
    const watched = (alert: AlertRecord) =>
      deps.config.rules.some(
        (rule) =>
          globMatch(rule.model, alert.model) &&
          (rule.task === '*' || rule.task === alert.task) &&
          ruleWatches(rule, alert.metric),
      );
    const cleared: AlertRecord[] = [];
    for (const alert of await deps.alerts.openAlerts()) {
      const measurement = measured.get(alert.key);
      if ((measurement && !measurement.firing) || !watched(alert)) {
        const done = await deps.alerts.clear(alert.id, measurement?.value ?? alert.value);
        if (done) {
          cleared.push(done);
          await deliver('alert.cleared', done);
        }
      }
    }
    return { opened, cleared, open: (await deps.alerts.openAlerts()).length };
  }

  return {
    /** Evaluates every rule now; a call while one runs waits for that one. */
    evaluate(): Promise<AlertEvaluation> {
      running ??= evaluateNow().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

/** True when `rule` has a threshold for `metric`. */
function ruleWatches(rule: AlertRule, metric: AlertMetric): boolean {
  switch (metric) {
    case 'p95_latency_ms':
      return rule.p95LatencyMs !== undefined;
    case 'error_rate':
      return rule.errorRate !== undefined;
    case 'safety_pass_rate':
      return rule.safetyPassRate !== undefined;
    case 'cost_per_day_usd':
      return rule.costPerDayUsd !== undefined;
  }
}

/** The evaluator of a gateway's alerts. */
export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
