/**
 * The benchmarking module as the gateway exposes it (`gateway.benchmarks`): scenario
 * suites, runs (start, resume, progress, results), in-memory scores for selection,
 * comparisons, metrics with daily rollups, live monitoring and alerts.
 */
import { randomBytes } from 'node:crypto';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { ChatDispatcher } from '../dispatch/chat-dispatcher.js';
import type { LocalResources } from '../resources/local-resources.js';
import {
  type BenchmarkScoreSource,
  GatewayError,
  InvalidRequestError,
  type ModelPricing,
} from '../spec/index.js';
import type { AlertRecord, BenchResultRecord, BenchRunSummary, Storage } from '../storage/index.js';
import type { AlertEvaluation } from './alert-evaluator.js';
import {
  createBenchmarkMonitoring,
  type LiveView,
  type MetricsQuery,
} from './benchmark-monitoring.js';
import { type BenchmarkPlan, parsePlan } from './benchmark-plan.js';
import {
  executeRun,
  type RunHooks,
  type RunOutcome,
  type RunProgress,
} from './benchmark-runner.js';
import { createBenchmarkScoreCache } from './benchmark-score-cache.js';
import type { AlertsConfig, BenchmarksConfig } from './benchmarks-config.js';
import { type Comparison, compareModels } from './compare-models.js';
import {
  defaultScenariosDir,
  loadScenarioSuites,
  loadSuiteFile,
  selectScenarios,
} from './load-scenario-suites.js';
import type { MetricsRow } from './metrics-query.js';
import { dayOf } from './metrics-rollup.js';
import { createRateGate } from './rate-gate.js';
import type { Scenario, ScenarioSuite } from './scenario-schema.js';
import type { TaskStanding } from './task-standings.js';

export type { LiveModelView, LiveView, MetricsQuery } from './benchmark-monitoring.js';

/** What a new run (or a resume) asks for. */
export interface BenchRunRequest {
  /** Models to benchmark (new runs). */
  models?: readonly string[];
  /** Only this task's scenarios. */
  task?: string;
  /** A suite file instead of the configured suites. */
  suite?: string;
  /** Only these scenario ids. */
  scenarioIds?: readonly string[];
  /** Scenarios given directly (embedding apps, tests), instead of suites. */
  scenarios?: readonly Scenario[];
  /** Scenarios in flight at once (default from config). */
  concurrency?: number;
  /** Judge model; null for none; default from config. */
  judge?: string | null;
  /** Resume this run instead of starting one. */
  resume?: string;
}

/** A run that has started. */
export interface StartedRun {
  runId: string;
  total: number;
  /** Results recorded before (a resume). */
  alreadyRecorded: number;
  /** Resolves when the run ends (completed, interrupted or failed); never rejects. */
  done: Promise<RunOutcome>;
}

/** A run's state for `GET /api/bench/runs/:id` and `bench show`. */
export interface RunView {
  run: Omit<BenchRunSummary, 'plan'>;
  /** True while this process is running it. */
  active: boolean;
  /** Live progress while active. */
  progress?: RunProgress;
  /**
   * True when the run is unfinished and not running here: interrupted, failed, or
   * `running` in a process that died. `--resume` (or `{"resume": id}`) finishes it.
   */
  resumable: boolean;
}

/** Everything the module needs from the gateway. */
export interface GatewayBenchmarksOptions {
  benchmarks: BenchmarksConfig;
  alerts: AlertsConfig;
  /** Days of request-log rows kept; none: every row is kept. */
  keepRequestsDays?: number;
  storage: Storage;
  /** The gateway's chat dispatcher (read at call time: it is built after this module). */
  chat: Pick<ChatDispatcher, 'stream' | 'complete'>;
  /** Throws (ModelNotFoundError, ...) when a model name cannot be served. */
  checkModel(name: string): Promise<void>;
  /** The model catalog, for prices (its stored copy: benchmarks never wait for a download). */
  catalog?: Pick<ModelCatalog, 'browse'>;
  /** Local models and the machine, for resource figures and suggestions. */
  resources?: Pick<LocalResources, 'report' | 'localModels'>;
  logger: {
    warn(object: object, message: string): void;
    info(object: object, message: string): void;
  };
  fetch?: typeof fetch;
  now?: () => number;
}

/** `gateway.benchmarks`. */
export interface GatewayBenchmarks {
  /** Latest benchmark scores per task, in memory: what selection reads synchronously. */
  readonly scores: BenchmarkScoreSource;
  /** Standings with pass rate, cost and tokens (comparisons, suggestions). */
  standings(task?: string): readonly TaskStanding[];
  /** The configured scenario suites, validated. */
  suites(): ScenarioSuite[];
  /** Starts (or resumes) a run in the background. */
  start(request: BenchRunRequest, hooks?: RunHooks): Promise<StartedRun>;
  /** Starts (or resumes) a run and waits for it. */
  run(request: BenchRunRequest, hooks?: RunHooks): Promise<RunOutcome>;
  /** A run and its progress; undefined when there is no such run. */
  view(runId: string): Promise<RunView | undefined>;
  /** Runs, newest first. */
  runs(limit?: number): Promise<Array<Omit<BenchRunSummary, 'plan'>>>;
  /** A run's results, oldest first. */
  results(runId: string): Promise<BenchResultRecord[]>;
  /** Side by side: the first model is the baseline. */
  compare(
    models: readonly string[],
    options?: { runId?: string; task?: string },
  ): Promise<Comparison>;
  /** Metrics from the daily rollups, grouped and filtered. */
  metrics(query?: MetricsQuery): Promise<MetricsRow[]>;
  /** Live figures per model over the last `windowMinutes`, resource use and a daily trend. */
  live(options?: { windowMinutes?: number; days?: number }): Promise<LiveView>;
  /** Alerts: evaluate now, list. */
  readonly alerts: {
    evaluate(): Promise<AlertEvaluation>;
    list(query?: {
      status?: 'open' | 'cleared';
      limit?: number;
      model?: string;
    }): Promise<AlertRecord[]>;
  };
  /** Catalog prices by model name, as last loaded (by alert evaluation or a run); for costs. */
  pricing(model: string): ModelPricing | undefined;
  /** Reloads scores from the database. */
  refreshScores(): Promise<void>;
  /** Starts the periodic rollups and alert evaluation (the server calls it). */
  startMonitoring(): void;
  /** Stops the timer. */
  stopMonitoring(): void;
  /** Interrupts running runs (they stay resumable) and stops the timer. */
  close(): Promise<void>;
}

/** Creates the module; loads the scores before resolving. */
export async function createGatewayBenchmarks(
  options: GatewayBenchmarksOptions,
): Promise<GatewayBenchmarks> {
  const { storage, logger } = options;
  const now = options.now ?? Date.now;
  const cache = createBenchmarkScoreCache(() =>
    storage.benchmarks.results({ withoutAnswers: true }),
  );
  const gate = createRateGate(options.benchmarks.rateLimits, now);
  const monitoring = createBenchmarkMonitoring({
    alerts: options.alerts,
    storage,
    ...(options.keepRequestsDays === undefined
      ? {}
      : { keepRequestsDays: options.keepRequestsDays }),
    standings: () => cache.standings(),
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.resources ? { resources: options.resources } : {}),
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now,
  });
  const active = new Map<
    string,
    { controller: AbortController; progress: RunProgress; done: Promise<RunOutcome> }
  >();
  let closed = false;
  await cache.refresh();

  /** Rollups, scores and alerts after a run; problems are logged, never thrown. */
  async function afterRun(since: number): Promise<void> {
    for (const [what, step] of [
      ['scores', () => cache.refresh()],
      ['rollups', () => monitoring.refreshRollups(since)],
      ['alerts', () => monitoring.evaluateAlerts()],
    ] as const) {
      try {
        await step();
      } catch (error) {
        logger.warn({ err: error }, `after the benchmark run, ${what} could not be updated`);
      }
    }
  }

  function suites(): ScenarioSuite[] {
    return loadScenarioSuites(options.benchmarks.scenariosDir ?? defaultScenariosDir);
  }

  async function newPlan(request: BenchRunRequest): Promise<BenchmarkPlan> {
    const models = [
      ...new Set((request.models ?? []).map((model) => model.trim()).filter(Boolean)),
    ];
    if (models.length === 0) {
      throw new InvalidRequestError(
        'Name at least one model to benchmark, e.g. --models ollama/llama3.2,openrouter/...',
        'models',
        'models_required',
      );
    }
    const judge = request.judge === undefined ? (options.benchmarks.judge ?? null) : request.judge;
    for (const model of judge === null ? models : [...models, judge])
      await options.checkModel(model);
    const scenarios =
      request.scenarios !== undefined
        ? [...request.scenarios]
        : selectScenarios(request.suite ? [loadSuiteFile(request.suite)] : suites(), {
            ...(request.task === undefined ? {} : { task: request.task }),
            ...(request.scenarioIds === undefined ? {} : { ids: request.scenarioIds }),
          });
    return {
      version: 1,
      models,
      scenarios,
      judge,
      concurrency: request.concurrency ?? options.benchmarks.concurrency,
      retries: options.benchmarks.retries,
    };
  }

  async function start(request: BenchRunRequest, hooks: RunHooks = {}): Promise<StartedRun> {
    if (closed)
      throw new GatewayError(
        'The gateway is shutting down; start the run again after it restarts.',
        { status: 503, type: 'server_error', code: 'shutting_down' },
      );
    let runId: string;
    let plan: BenchmarkPlan;
    if (request.resume !== undefined) {
      runId = request.resume;
      if (active.has(runId)) {
        throw new GatewayError(
          `Run ${runId} is running already; follow it with GET /api/bench/runs/${runId}.`,
          { status: 409, type: 'invalid_request_error', code: 'run_active' },
        );
      }
      const stored = await storage.benchmarks.getRun(runId);
      if (!stored) {
        throw new GatewayError(
          `No benchmark run ${runId}; \`tta-models bench list\` shows the runs.`,
          { status: 404, type: 'invalid_request_error', code: 'run_not_found' },
        );
      }
      if (stored.status === 'completed') {
        throw new InvalidRequestError(
          `Run ${runId} is complete; \`tta-models bench show ${runId}\` shows its results.`,
          'resume',
          'run_complete',
        );
      }
      plan = parsePlan(runId, stored.plan);
      if (request.concurrency !== undefined) plan = { ...plan, concurrency: request.concurrency };
    } else {
      plan = await newPlan(request);
      runId = `run_${dayOf(now()).replaceAll('-', '')}_${randomBytes(4).toString('hex')}`;
      await storage.benchmarks.createRun({
        id: runId,
        createdAt: Math.round(now()),
        status: 'running',
        models: plan.models,
        task: request.task ?? null,
        suite: request.suite ?? null,
        judgeModel: plan.judge,
        concurrency: plan.concurrency,
        total: plan.models.length * plan.scenarios.length,
        plan,
      });
    }
    const alreadyRecorded = (await storage.benchmarks.recordedKeys(runId)).size;
    await monitoring.refreshPrices();
    const controller = new AbortController();
    if (hooks.signal) {
      if (hooks.signal.aborted) controller.abort();
      else hooks.signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    const total = plan.models.length * plan.scenarios.length;
    const startedAt = now();
    const entry = {
      controller,
      progress: {
        runId,
        total,
        done: alreadyRecorded,
        errors: 0,
        running: 0,
        elapsedMs: 0,
        etaMs: null,
      } as RunProgress,
      done: Promise.resolve() as unknown as Promise<RunOutcome>,
    };
    active.set(runId, entry);
    entry.done = executeRun(
      runId,
      plan,
      {
        chat: options.chat,
        store: storage.benchmarks,
        gate,
        pricing: monitoring.pricing,
        now,
      },
      {
        signal: controller.signal,
        onProgress: (progress) => {
          entry.progress = progress;
          hooks.onProgress?.(progress);
        },
        ...(hooks.onResult ? { onResult: hooks.onResult } : {}),
      },
    ).then(async (outcome) => {
      active.delete(runId);
      if (outcome.status === 'failed')
        logger.warn({ run: runId, error: outcome.error }, 'benchmark run failed');
      await afterRun(startedAt);
      return outcome;
    });
    return { runId, total, alreadyRecorded, done: entry.done };
  }

  const withoutPlan = ({ plan: _plan, ...run }: BenchRunSummary) => run;

  return {
    scores: cache.scores,
    standings: (task) => cache.standings(task),
    suites,
    start,
    async run(request, hooks) {
      return (await start(request, hooks)).done;
    },
    async view(runId) {
      const stored = await storage.benchmarks.getRun(runId);
      if (!stored) return undefined;
      const running = active.get(runId);
      return {
        run: withoutPlan(stored),
        active: running !== undefined,
        ...(running ? { progress: running.progress } : {}),
        resumable: running === undefined && stored.status !== 'completed',
      };
    },
    async runs(limit) {
      return (await storage.benchmarks.listRuns(limit === undefined ? {} : { limit })).map(
        withoutPlan,
      );
    },
    results: (runId) => storage.benchmarks.results({ runId }),
    async compare(models, compareOptions = {}) {
      const results = await storage.benchmarks.results({
        models,
        withoutAnswers: true,
        ...(compareOptions.runId === undefined ? {} : { runId: compareOptions.runId }),
        ...(compareOptions.task === undefined ? {} : { task: compareOptions.task }),
      });
      return compareModels(models, results);
    },
    metrics: (query) => monitoring.metrics(query),
    live: (liveOptions) => monitoring.live(liveOptions),
    alerts: {
      evaluate: monitoring.evaluateAlerts,
      list: monitoring.listAlerts,
    },
    pricing: monitoring.pricing,
    refreshScores: () => cache.refresh(),
    startMonitoring: monitoring.start,
    stopMonitoring: monitoring.stop,
    async close() {
      closed = true;
      monitoring.stop();
      const running = [...active.values()];
      for (const entry of running) entry.controller.abort();
      await Promise.allSettled(running.map((entry) => entry.done));
    },
  };
}
