/**
 * Threshold alerts: each rule is evaluated for every model (and task) in its scope;
 * a crossing opens one alert (stored, POSTed to the webhook, with a suggestion), the
 * same condition holding later only updates it, and a measurement back within the
 * threshold clears it (and says so to the webhook).
 */
import type { ModelPricing } from '../spec/index.js';
import type { AlertMetric, AlertRecord, AlertStore, MetricsStore } from '../storage/index.js';
import { type AlertSuggestion, suggestFor } from './alert-suggestion.js';
import type { AlertNotification } from './alert-webhook.js';
import type { AlertRule, AlertsConfig } from './benchmarks-config.js';
import { globMatch } from './glob-match.js';
import { type LiveStats, liveStats } from './live-stats.js';
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
  today: { byModel: LiveStats[]; byTask: LiveStats[] },
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
    const inScope = (stats: LiveStats) =>
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
    const [windowRequests, todayRequests, localModels] = await Promise.all([
      deps.metrics.requestsBetween(windowStart, at + 1),
      deps.metrics.requestsBetween(todayStart, at + 1, { includeBenchmarks: true }),
      deps.fittingLocalModels?.().catch(() => []) ?? Promise.resolve([]),
    ]);
    const options = deps.pricing ? { pricing: deps.pricing } : {};
    const window = {
      byModel: liveStats(windowRequests, options),
      byTask: liveStats(windowRequests, { ...options, byTask: true }),
    };
    const today = {
      byModel: liveStats(todayRequests, options),
      byTask: liveStats(todayRequests, { ...options, byTask: true }),
    };
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
