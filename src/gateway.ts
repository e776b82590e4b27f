import { type AccessControl, createAccessControl } from './access/access-control.js';
import { createUserTokens, type UserTokens } from './access/user-tokens.js';
import { createUserUsageLimits, type UserUsageLimits } from './access/user-usage-limits.js';
import {
  createGatewayBenchmarks,
  type GatewayBenchmarks,
} from './benchmarking/gateway-benchmarks.js';
import { logCatalogSync } from './catalog/log-catalog-sync.js';
import { createModelCatalog, type ModelCatalog } from './catalog/model-catalog.js';
import { createModelList, type ModelList } from './catalog/model-list.js';
import type { GatewayConfig } from './config/config-schema.js';
import type { HomePaths } from './config/home.js';
import { type ChatDispatcher, createChatDispatcher } from './dispatch/chat-dispatcher.js';
import { createModelPlanner, type ModelPlanner } from './dispatch/model-planner.js';
import { createProvider } from './providers/provider-registry.js';
import { type ReplicaSync, startReplicaSync } from './replicas/replica-sync.js';
import { createCooldowns } from './resilience/cooldowns.js';
import { movesOn } from './resilience/fallback-chain.js';
import { createIncidentRecorder } from './resilience/incident-recorder.js';
import { createModelHealth, type ModelHealth } from './resilience/model-health.js';
import { createGatewayResources } from './resources/gateway-resources.js';
import type { LocalResources } from './resources/local-resources.js';
import type { SystemProbe } from './resources/system-probe.js';
import { createKeyVault, type KeyVault, type LineDestination } from './secrets/index.js';
import { createKeyAdmission, type KeyAdmission } from './secrets/key-admission.js';
import { createKeySelection } from './secrets/key-selection.js';
import { createGatewaySelection } from './selection/gateway-selection.js';
import type { SelectionService } from './selection/selection-service.js';
import { createSessionTracker, type SessionTracker } from './sessions/session-tracker.js';
import { GatewayError, type HealthReport, type Provider } from './spec/index.js';
import { openStorage, type Storage } from './storage/index.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics, type GatewayMetrics } from './telemetry/metrics.js';
import { benchmarkEvidenceFrom } from './versions/benchmark-evidence.js';
import { createModelVersions, type ModelVersions } from './versions/model-versions.js';
import { observeReportedModel } from './versions/observe-reported-model.js';

export type { GatewayConfig } from './config/config-schema.js';
export { resolveHome } from './config/home.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export * from './spec/index.js';

/** What {@link createGateway} needs; everything with I/O can be injected. */
export interface GatewayOptions {
  /** The validated configuration. */
  config: GatewayConfig;
  /** Where the database lives. */
  paths: HomePaths;
  /** Environment (admin token); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Logger; defaults to pino at the configured level, secrets scrubbed, on `logDestination`. */
  logger?: Logger;
  /** Where the default logger writes JSON lines (default stderr). */
  logDestination?: LineDestination;
  /** Providers to use instead of building them from the config (tests, embedding apps). */
  providers?: Provider[];
  /** The machine as local-model admission sees it (default: this machine's real probe). */
  probe?: SystemProbe;
  /** The config file `config` was read from (version migration rewrites its routes). */
  configFile?: string;
  /**
   * On PostgreSQL, keep in step with the other replicas: hear their changes (a connection
   * of its own, listening) and their breakers (default true). A one-shot CLI command says
   * false: it only writes, and its writes reach the replicas through the database.
   */
  followReplicas?: boolean;
}

/** A provider's health, by id. */
export interface ProviderHealth extends HealthReport {
  /** Configured provider id. */
  providerId: string;
  /** Its type. */
  type: Provider['type'];
}

/** The composition root: every module wired into one object the server, the CLI and embedding apps use. */
export interface Gateway {
  readonly config: GatewayConfig;
  readonly paths: HomePaths;
  readonly logger: Logger;
  readonly storage: Storage;
  readonly metrics: GatewayMetrics;
  readonly access: AccessControl;
  /** Users and their tokens. */
  readonly users: UserTokens;
  /** Users' rate limits and budgets on chat requests, and their usage. */
  readonly userLimits: UserUsageLimits;
  /** Sealed provider keys. */
  readonly vault: KeyVault;
  /** Adding, checking, listing and removing provider keys. */
  readonly keys: KeyAdmission;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly models: ModelList;
  /** The model catalog: every provider's models with prices and limits, synced, stored, filtered. */
  readonly catalog: ModelCatalog;
  /** This machine and its local models: probe, admission control, monitor, reports. */
  readonly resources: LocalResources;
  readonly chat: ChatDispatcher;
  /** Maps client model names (`<providerId>/<modelId>`, `route:<name>`) to chains. */
  readonly planner: ModelPlanner;
  /** Task-aware selection: the right models for a therapeutic task, explained. */
  readonly selection: SelectionService;
  /** Breakers and rolling health of every model seen in traffic. */
  readonly modelHealth: ModelHealth;
  /** Players' sessions. */
  readonly sessions: SessionTracker;
  /** Model versions: registry, notices, pins, rollback, deprecations, migration, conflicts. */
  readonly versions: ModelVersions;
  /** Benchmarks, their scores (in memory, for selection), metrics, live monitoring and alerts. */
  readonly benchmarks: GatewayBenchmarks;
  /** Health of every provider, checked concurrently. */
  health(): Promise<ProviderHealth[]>;
  /** Flushes the request log and releases connections and the database. */
  close(): Promise<void>;
}

/** Wires config, storage, providers, access control, metrics and dispatch into one gateway. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, paths } = options;
  const env = options.env ?? process.env;
  let vault: KeyVault | undefined;
  const logger =
    options.logger ??
    createLogger({
      level: config.log.level,
      knownSecrets: () => vault?.cachedSecrets() ?? [],
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const storage = await openStorage({
    ...(config.database.url
      ? { url: config.database.url, poolSize: config.database.poolSize }
      : { path: paths.databaseFile, busyTimeoutMs: config.database.busyTimeoutMs }),
    onError: (error) => logger.error({ err: error }, 'database error'),
  });
  let providerConfigs: GatewayConfig['providers'];
  try {
    vault = await createKeyVault({ storage, home: paths.home, env });
    providerConfigs = await resolveVaultReferences(config.providers, vault);
  } catch (error) {
    await storage.close();
    throw error;
  }
  for (const notice of vault.notices) logger.warn(notice);
  const resources = createGatewayResources({
    config,
    paths,
    logger,
    ...(options.probe ? { probe: options.probe } : {}),
    providers: () => providerList,
    models: () => models,
    metrics: () => metrics,
  });
  const providerList = (
    options.providers ??
    providerConfigs.map((entry) => createProvider(entry, resources.providerDependencies))
  ).map((provider) =>
    // Custom providers' versions are the model their answers report.
    observeReportedModel(provider, (model, reported) => versions.observeReported(model, reported)),
  );
  const providers = new Map(providerList.map((provider) => [provider.id, provider]));
  const access = await createAccessControl({
    settings: storage.settings,
    users: storage.users,
    clientKeys: config.auth.apiKeys,
    env,
  });
  const keys = createKeySelection({ vault, providers: providerConfigs });
  const metrics = createMetrics();
  const models = createModelList(providerList);
  const catalog = createModelCatalog({
    store: storage.catalog,
    providers: providerList,
    configs: providerConfigs,
    // A caller's own vault key, else the operator's, else the configured one.
    apiKeyFor: async (providerId, owner) =>
      (await keys.keyFor(owner, providerId))?.secret ??
      providerConfigs.find((entry) => entry.id === providerId)?.apiKey,
    maxAgeMs: config.catalog.maxAgeMinutes * 60_000,
    syncIntervalMs: config.catalog.syncIntervalMinutes * 60_000,
    onBackgroundSync: (result) => logCatalogSync(logger, result),
    onBackgroundError: (error) => logger.warn({ err: error }, 'background catalog sync failed'),
    onProviderSynced: (result) => versions.afterSync(result),
  });

  let selection: SelectionService | undefined;
  const planner = createModelPlanner({ providers, models, config, selection: () => selection });
  resources.start();
  // Started below on PostgreSQL: replicas tell each other of open breakers and cooldowns.
  let replicas: ReplicaSync | undefined;
  const cooldowns = createCooldowns(Date.now, {
    onCool: (model, ms) => replicas?.announceCooldown(model, ms),
  });
  const incidents = createIncidentRecorder(storage.incidents, logger);
  const modelHealth = createModelHealth({
    thresholds: {
      failuresToOpen: config.resilience.breaker.failuresToOpen,
      halfOpenAfterMs: config.resilience.breaker.halfOpenAfterMs,
      degradedErrorRate: config.resilience.degradation.errorRate,
      degradedP95Ms: config.resilience.degradation.p95LatencyMs,
      minimumSamples: config.resilience.degradation.minimumSamples,
    },
    countsAsFailure: movesOn,
    onEvent: incidents.breaker,
    onSignal: (signal) => replicas?.announce(signal),
  });
  // Benchmarks run through this gateway's own dispatcher (`gateway.chat`, built below).
  const benchmarks = await createGatewayBenchmarks({
    benchmarks: config.benchmarks,
    alerts: config.alerts,
    keepRequestsDays: config.database.keepRequestsDays,
    storage,
    logger,
    chat: {
      stream: (body, context) => gateway.chat.stream(body, context),
      complete: (body, context) => gateway.chat.complete(body, context),
    },
    checkModel: async (name) => void (await planner.plan(name)),
    catalog,
    resources: resources.local,
  });
  selection = createGatewaySelection({
    config,
    catalog,
    modelHealth,
    cooldowns,
    resources: resources.local,
    settings: storage.settings,
    resolve: (name) => planner.resolve(name, false),
    scores: () => benchmarks.scores,
  });
  const evidence = benchmarkEvidenceFrom(benchmarks);
  const versions = createModelVersions({
    benchmarks: evidence,
    quality: evidence.quality,
    store: storage.versions,
    auditLog: storage.audit,
    catalogStore: storage.catalog,
    catalogItems: async () => (await catalog.browse({ refresh: 'never', limits: false })).models,
    providers,
    providerConfigs,
    home: paths.home,
    config,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    env,
    incidents: storage.incidents,
    logger,
    // Version notices share the alert webhook.
    ...(config.alerts.webhookUrl ? { webhookUrl: config.alerts.webhookUrl } : {}),
  });
  await versions.start();
  if (storage.dialect === 'postgres' && options.followReplicas !== false) {
    replicas = startReplicaSync({
      storage,
      modelHealth,
      cooldowns,
      access,
      keys,
      vault,
      versions,
      selection,
      logger,
    });
  }
  const sessions = createSessionTracker({
    // Replicas sharing PostgreSQL may each take turns of one session.
    shared: storage.dialect === 'postgres',
    versions: versions.sessionPolicy,
    store: storage.sessions,
    health: {
      isUnwell: (model) => modelHealth.isUnwell(model) || cooldowns.isCooling(model),
      lastSuccessAt: modelHealth.lastSuccessAt,
    },
  });

  const gateway: Gateway = {
    config,
    paths,
    logger,
    storage,
    metrics,
    access,
    users: createUserTokens(storage.users, access),
    userLimits: createUserUsageLimits({
      store: storage.usage,
      defaults: config.limits.users,
      pricing: (model) => benchmarks.pricing(model),
      onChargeError: (error) =>
        logger.error({ err: error }, "a user's token and cost usage could not be counted"),
      onUncounted: (error) =>
        logger.warn({ err: error }, 'database unavailable: a user request is served uncounted'),
    }),
    vault,
    keys: createKeyAdmission({ vault, keys, providers: config.providers }),
    providers,
    models,
    catalog,
    resources: resources.local,
    chat: createChatDispatcher({
      plan: (name, context) => versions.plan(name, context, planner.plan),
      cooldowns,
      health: modelHealth,
      sessions,
      onFailover: incidents.failover,
      onSessionError: (error) => logger.error({ err: error }, 'session could not be saved'),
      recorder: storage.requests,
      metrics,
      keys,
      logger,
      onKeyFailure: incidents.keyFailure,
      onAttemptFailed: incidents.attemptFailed,
    }),
    planner,
    selection,
    modelHealth,
    sessions,
    versions,
    benchmarks,
    async health() {
      return Promise.all(
        providerList.map(async (provider) => ({
          providerId: provider.id,
          type: provider.type,
          ...(await provider.health({ signal: AbortSignal.timeout(5_000) })),
        })),
      );
    },
    async close() {
      await benchmarks.close();
      catalog.stopBackgroundSync();
      resources.local.close();
      await versions.close();
      await Promise.allSettled(providerList.map((provider) => provider.close()));
      await replicas?.close();
      await storage.close();
    },
  };
  return gateway;
}

/**
 * Replaces `apiKey: vault:<id>` in provider entries with the sealed secret, so
 * operator keys can live in the vault instead of the config file.
 */
async function resolveVaultReferences(entries: GatewayConfig['providers'], vault: KeyVault) {
  return Promise.all(
    entries.map(async (entry) => {
      const reference = entry.apiKey?.startsWith('vault:')
        ? entry.apiKey.slice('vault:'.length)
        : undefined;
      if (reference === undefined) return entry;
      try {
        return { ...entry, apiKey: await vault.open(reference) };
      } catch (error) {
        if (error instanceof GatewayError && error.status === 404) {
          throw new GatewayError(
            `provider "${entry.id}": apiKey refers to vault key "${reference}", which does not exist; \`tta-models keys list\` shows the keys there are.`,
            { status: 500, type: 'server_error', code: 'vault_reference_missing' },
          );
        }
        throw error;
      }
    }),
  );
}
