/**
 * Monitoring over the database: metrics from the daily rollups, live figures per
 * model from the request log, and threshold alerts — evaluated on a timer while
 * serving and after every benchmark run.
 */
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { LocalResources } from '../resources/local-resources.js';
import type { ModelPricing } from '../spec/index.js';
import type { AlertRecord, MetricsSource, Storage } from '../storage/index.js';
import { type AlertEvaluation, createAlertEvaluator } from './alert-evaluator.js';
import { postAlert } from './alert-webhook.js';
import type { AlertsConfig } from './benchmarks-config.js';
import { createLiveStats, type LiveStats } from './live-stats.js';
import { aggregateRollups, type MetricsGroupBy, type MetricsRow } from './metrics-query.js';
import { dayOf } from './metrics-rollup.js';
import { createRollupJob } from './metrics-rollup-job.js';
import type { TaskStanding } from './task-standings.js';

/** Which metrics `GET /api/metrics` returns. */
export interface MetricsQuery {
  source?: MetricsSource;
  models?: readonly string[];
  /** A task; `null` for requests that named none. */
  task?: string | null;
  /** First day, `YYYY-MM-DD` (default 30 days ago). */
  from?: string;
  /** Last day, `YYYY-MM-DD` (default today). */
  to?: string;
  groupBy?: readonly MetricsGroupBy[];
}

/** Live monitoring of one model, with its memory when it runs on this machine. */
export interface LiveModelView extends LiveStats {
  /** Memory a loaded local model holds now, bytes. */
  loadedMemoryBytes?: number;
}

/** `GET /api/metrics/live`. */
export interface LiveView {
  window: { from: number; to: number };
  models: LiveModelView[];
  /** Daily figures of live traffic per model, oldest first. */
  trend: MetricsRow[];
}

/** What monitoring reads. */
export interface BenchmarkMonitoringOptions {
  alerts: AlertsConfig;
  storage: Storage;
  /** Benchmark standings, in memory. */
  standings(): readonly TaskStanding[];
  /** The model catalog, for prices (its stored copy: monitoring never waits for a download). */
  catalog?: Pick<ModelCatalog, 'browse'>;
  /** Local models and the machine, for resource figures and suggestions. */
  resources?: Pick<LocalResources, 'report' | 'localModels'>;
  logger: {
    warn(object: object, message: string): void;
    info(object: object, message: string): void;
  };
  fetch?: typeof fetch;
  now?: () => number;
  /** Days of request-log rows kept (`database.keepRequestsDays`); none: every row is kept. */
  keepRequestsDays?: number;
}

const dayMs = 86_400_000;

/** How often old request rows are deleted while serving, and the first time after start. */
const pruneEveryMs = 3_600_000;
const firstPruneAfterMs = 60_000;

/** Creates the monitoring of a gateway. */
export function createBenchmarkMonitoring(options: BenchmarkMonitoringOptions) {
  const { storage, logger } = options;
  const now = options.now ?? Date.now;
  const rollups = createRollupJob(storage, now, options.keepRequestsDays);
  let prices = new Map<string, ModelPricing>();
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  /** Deletes request rows past `keepRequestsDays`, saying how many went. */
  async function pruneRequests(): Promise<{ requests: number; usageRows: number }> {
    const pruned = await rollups.prune();
    if (pruned.requests > 0 || pruned.usageRows > 0) {
      logger.info(
        { ...pruned, keepRequestsDays: options.keepRequestsDays },
        `deleted request-log rows older than ${options.keepRequestsDays} days (their daily rollups stay)`,
      );
    }
    return pruned;
  }

  function schedulePrune(afterMs: number): void {
    pruneTimer = setTimeout(() => {
      void pruneRequests()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'deleting old request-log rows failed; will retry'),
        )
        .finally(() => {
          if (pruneTimer !== undefined) schedulePrune(pruneEveryMs);
        });
    }, afterMs);
    pruneTimer.unref();
  }

  /** Reloads catalog prices; on failure the previous ones stay. */
  async function refreshPrices(): Promise<void> {
    if (!options.catalog) return;
    try {
      const view = await options.catalog.browse({ refresh: 'never', limits: false });
      prices = new Map(
        view.models.flatMap((model) =>
          model.pricing ? [[model.name, model.pricing] as const] : [],
        ),
      );
    } catch (error) {
      logger.warn({ err: error }, 'catalog prices unavailable; costs use reported figures only');
    }
  }

  const webhookUrl = options.alerts.webhookUrl;
  const evaluator = createAlertEvaluator({
    config: options.alerts,
    alerts: storage.alerts,
    metrics: storage.metrics,
    flushRequests: () => storage.requests.flush(),
    standings: options.standings,
    pricing: (model) => prices.get(model),
    ...(options.resources
      ? {
          fittingLocalModels: async () =>
            (await options.resources?.localModels())
              ?.filter((model) => model.fits === 'yes')
              .map((model) => model.name) ?? [],
        }
      : {}),
    ...(webhookUrl
      ? { notify: (notification) => postAlert(webhookUrl, notification, options.fetch) }
      : {}),
    onNotifyError: (error, alert) =>
      logger.warn({ err: error, alert: alert.id }, 'alert webhook failed; the alert is stored'),
    now,
  });

  async function evaluateAlerts(): Promise<AlertEvaluation> {
    await refreshPrices();
    const evaluation = await evaluator.evaluate();
    for (const alert of evaluation.opened) {
      logger.warn({ alert: alert.id, model: alert.model }, alert.message);
    }
    for (const alert of evaluation.cleared) {
      logger.info({ alert: alert.id, model: alert.model }, `cleared: ${alert.message}`);
    }
    return evaluation;
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (pruneTimer) clearTimeout(pruneTimer);
    pruneTimer = undefined;
  }

  return {
    /** Prices of the stored catalog, by model name (for benchmark costs). */
    pricing: (model: string): ModelPricing | undefined => prices.get(model),
    refreshPrices,
    /** Recomputes the daily rollups not yet final (and every day since `since`). */
    refreshRollups: (since?: number) => rollups.refresh(since),
    /** Evaluates every alert rule now. */
    evaluateAlerts,
    /** Stored alerts, newest first. */
    listAlerts: (query?: {
      status?: 'open' | 'cleared';
      limit?: number;
      model?: string;
    }): Promise<AlertRecord[]> => storage.alerts.list(query),

    /** Metrics from the daily rollups, grouped and filtered. */
    async metrics(query: MetricsQuery = {}): Promise<MetricsRow[]> {
      await rollups.refresh();
      const stored = await storage.metrics.rollups({
        from: query.from ?? dayOf(now() - 29 * dayMs),
        to: query.to ?? dayOf(now()),
        ...(query.source === undefined ? {} : { source: query.source }),
        ...(query.models === undefined ? {} : { models: query.models }),
        ...(query.task === undefined ? {} : { task: query.task }),
      });
      return aggregateRollups(stored, query.groupBy ?? ['model']);
    },

    /** Live figures per model over the last `windowMinutes`, resource use and a daily trend. */
    async live(liveOptions: { windowMinutes?: number; days?: number } = {}): Promise<LiveView> {
      const to = now();
      const from = to - (liveOptions.windowMinutes ?? options.alerts.windowMinutes) * 60_000;
      await storage.requests.flush();
      await refreshPrices();
      // Folded a page at a time: the window of a busy gateway is many rows.
      const window = createLiveStats({ pricing: (model) => prices.get(model) });
      const [, report] = await Promise.all([
        (async () => {
          for await (const page of storage.metrics.requestPages(from, to + 1)) window.add(page);
        })(),
        options.resources?.report().catch(() => undefined),
      ]);
      const loaded = new Map(
        (report?.loaded ?? []).map((model) => [`${model.providerId}/${model.id}`, model.sizeBytes]),
      );
      const models = window.stats().map((stats): LiveModelView => {
        const memory = loaded.get(stats.model);
        return memory === undefined ? stats : { ...stats, loadedMemoryBytes: memory };
      });
      await rollups.refresh();
      const days = liveOptions.days ?? 14;
      const trend = aggregateRollups(
        await storage.metrics.rollups({
          source: 'live',
          from: dayOf(to - (days - 1) * dayMs),
          to: dayOf(to),
        }),
        ['model', 'day'],
      );
      return { window: { from, to }, models, trend };
    },

    /**
     * Rolls up and evaluates alerts every `alerts.evaluateEverySeconds` (0: never), and
     * deletes request-log rows past `keepRequestsDays` every hour.
     */
    start(): void {
      if (pruneTimer === undefined && options.keepRequestsDays !== undefined) {
        schedulePrune(firstPruneAfterMs);
      }
      const everyMs = options.alerts.evaluateEverySeconds * 1000;
      if (timer || everyMs <= 0) return;
      timer = setInterval(() => {
        void (async () => {
          try {
            await rollups.refresh();
            await evaluateAlerts();
          } catch (error) {
            logger.warn({ err: error }, 'metrics rollup or alert evaluation failed; will retry');
          }
        })();
      }, everyMs);
      timer.unref();
    },
    stop,
  };
}

/** The monitoring of a gateway. */
export type BenchmarkMonitoring = ReturnType<typeof createBenchmarkMonitoring>;
