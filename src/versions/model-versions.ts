/**
 * Model versions of a gateway: the registry of every version seen (kept current by
 * catalog syncs, GGUF files and live answers), change notices (stored, logged, sent to the
 * webhook), pins of routes and aliases with promotion and one-step rollback (atomic, with
 * an audit entry), session compatibility, deprecations with migration targets, route
 * migration, and conflicts resolved where one answer is safe. This file wires the parts.
 */
import type { CatalogItem } from '../catalog/filter-catalog.js';
import type { ProviderSyncResult } from '../catalog/sync-provider-catalog.js';
import type { GatewayConfig, ProviderConfig } from '../config/config-schema.js';
import { ModelNotFoundError, type Provider } from '../spec/index.js';
import type { SessionVersionPolicy } from '../spec/model-version.js';
import type {
  AuditLog,
  Incidents,
  ModelCatalogStore,
  ModelVersionRecord,
  ModelVersionStore,
  VersionNoticeKind,
  VersionNoticeRecord,
} from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { BenchmarkEvidence } from './benchmark-gate.js';
import { type Deprecation, listDeprecations } from './deprecations.js';
import { createRouteMigration } from './migrate-routes.js';
import { createNoticeOutlet } from './notice-outlet.js';
import { createNoticeWebhook } from './notice-webhook.js';
import { createPinOperations } from './pin-operations.js';
import { createVersionRecorder } from './record-versions.js';
import {
  type ConflictReport,
  createConflictResolver,
  systemActor,
  type VersionActor,
} from './resolve-conflicts.js';
import { createSessionVersionPolicy } from './session-version-policy.js';
import { createVersionRegistry, type PinView, providerOf } from './version-registry.js';
import type { VersionsConfig } from './versions-config.js';

export type { MigrationResult } from './migrate-routes.js';
export type { PinChange } from './pin-operations.js';
export type { ConflictReport, VersionActor } from './resolve-conflicts.js';
export { systemActor } from './resolve-conflicts.js';
export type { PinView } from './version-registry.js';

/** What {@link createModelVersions} needs; everything with I/O is injected. */
export interface ModelVersionsOptions {
  store: ModelVersionStore;
  auditLog: AuditLog;
  /** The stored catalog entries (with each provider's own entry, for digests and slugs). */
  catalogStore: Pick<ModelCatalogStore, 'list'>;
  /** The catalog as stored, for suggestions and deprecations (never syncs). */
  catalogItems: () => Promise<CatalogItem[]>;
  providers: ReadonlyMap<string, Provider>;
  /** Provider config entries, for embedded models folders. */
  providerConfigs: readonly ProviderConfig[];
  /** The gateway's home folder (embedded providers default to its `models` folder). */
  home: string;
  /** The live configuration: its routes (migration updates them in place) and `versions:`. */
  config: Pick<GatewayConfig, 'routes'> & { versions: VersionsConfig };
  /** The config file the gateway read, for migration; undefined when it had none. */
  configFile?: string;
  /** Environment for `${VARS}` when a migrated config is checked. */
  env?: NodeJS.ProcessEnv;
  incidents: Pick<Incidents, 'add'>;
  logger: Logger;
  /** The alert webhook; undefined keeps notices in the API and CLI only. */
  webhookUrl?: string;
  /** Where promotion finds benchmark results, when the gateway has a benchmark store. */
  benchmarks?: BenchmarkEvidence;
  /** Benchmark quality of a model (0–1), for migration suggestions, when known. */
  quality?: (model: string) => number | undefined;
  /** The clock, epoch milliseconds. */
  now?: () => number;
  /** HTTP client of the webhook. */
  fetch?: typeof fetch;
  /** Hashes GGUF files (tests count calls). */
  hashFile?: (file: string) => Promise<string>;
}

/** A model with its versions, as `versions list` shows it. */
export interface VersionedModel {
  model: string;
  providerId: string;
  /** The version served now, or null when the model is gone. */
  served: ModelVersionRecord | null;
  /** The newest version seen. */
  latest: ModelVersionRecord;
  /** Versions seen. */
  versions: number;
  /** Routes, aliases and pins that depend on it. */
  dependents: string[];
  /** Pins of it in force. */
  pins: PinView[];
  /** Its retirement, when it retires or is gone. */
  deprecation?: Pick<Deprecation, 'timeline' | 'suggestion' | 'command'>;
}

/** Creates the version management of a gateway. Call `start()` before use. */
export function createModelVersions(options: ModelVersionsOptions) {
  const { store, config, logger } = options;
  const now = options.now ?? Date.now;
  const routes = () => config.routes;
  const horizonDays = config.versions.deprecationHorizonDays;
  const registry = createVersionRegistry({ store, routes, logger, now });
  const webhook = createNoticeWebhook({
    url: options.webhookUrl,
    store,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const outlet = createNoticeOutlet({ logger, webhook, dependents: registry.dependents });
  const conflicts = createConflictResolver({
    store,
    registry,
    routes,
    catalogItems: options.catalogItems,
    incidents: options.incidents,
    logger,
    outlet,
    now,
    horizonDays,
  });
  const recorder = createVersionRecorder({
    store,
    catalogStore: options.catalogStore,
    catalogItems: options.catalogItems,
    providers: options.providers,
    providerConfigs: options.providerConfigs,
    home: options.home,
    registry,
    outlet,
    afterChange: () => conflicts.resolve(systemActor),
    now,
    horizonDays,
    ...(options.quality ? { quality: options.quality } : {}),
    ...(options.hashFile ? { hashFile: options.hashFile } : {}),
  });
  const pins = createPinOperations({
    store,
    registry,
    providers: options.providers,
    routes,
    versionsConfig: config.versions,
    ...(options.benchmarks ? { benchmarks: options.benchmarks } : {}),
    now,
  });
  const migrate = createRouteMigration({
    registry,
    pins,
    auditLog: options.auditLog,
    providers: options.providers,
    catalogItems: options.catalogItems,
    config,
    configFile: options.configFile,
    env: options.env ?? process.env,
  });
  const observing = new Map<string, string>();
  let reconciling: Promise<unknown> = Promise.resolve();

  async function deprecations(): Promise<Deprecation[]> {
    return listDeprecations({
      catalog: await options.catalogItems(),
      versions: registry.all(),
      dependents: registry.dependents,
      now: now(),
      horizonDays,
      ...(options.quality ? { quality: options.quality } : {}),
    });
  }

  async function idle(): Promise<void> {
    await registry.idle();
    await webhook.idle();
  }

  const sessionPolicy: SessionVersionPolicy = createSessionVersionPolicy({
    current: registry.current,
    byId: registry.byId,
  });

  return {
    /** Reads the registry and pins, and resolves what conflicts it safely can. */
    async start(): Promise<void> {
      await registry.reload();
      await conflicts
        .resolve(systemActor)
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'version conflicts could not be checked'),
        );
    },

    /**
     * Another process changed versions or pins (PostgreSQL's change feed): re-reads them in
     * the background now rather than within `refreshCheckMs` of the next request.
     */
    changedElsewhere(): void {
      registry.refreshNow();
    },

    /** Told of every catalog sync: records the provider's versions and their notices. Never throws. */
    afterSync(result: ProviderSyncResult): Promise<VersionNoticeRecord[]> {
      if (result.status !== 'synced') return Promise.resolve([]);
      // One reconcile at a time: two syncs of one provider must not interleave.
      const run = reconciling.then(() => recorder.reconcileProvider(result.providerId));
      reconciling = run.catch(() => undefined);
      return registry.track(
        run.catch((error: unknown) => {
          logger.warn(
            { err: error, provider: result.providerId },
            'model versions could not be recorded after the catalog sync',
          );
          return [];
        }),
      );
    },

    /** Told the `model` a custom provider's answer reported; cheap when it did not change. */
    observeReported(model: string, reported: string): void {
      if (registry.current(model)?.facts.reportedModel === reported) return;
      if (observing.get(model) === reported) return;
      observing.set(model, reported);
      registry.track(
        recorder
          .recordReported(model, reported)
          .catch((error: unknown) =>
            logger.warn({ err: error, model }, 'a reported model version could not be recorded'),
          )
          .finally(() => observing.delete(model)),
      );
    },

    /**
     * The chain for a client's model name with pins applied: `alias:<name>` is the model
     * its pin names; a pinned route leads with its pinned model (when config.yaml's route
     * still lists it).
     */
    async plan<Plan extends { members: Array<{ name: string }> }, Context>(
      name: string,
      context: Context,
      base: (name: string, context: Context) => Plan | Promise<Plan>,
    ): Promise<Plan> {
      registry.maybeRefresh();
      const pin = registry.pin(name);
      if (name.startsWith('alias:')) {
        if (!pin) {
          throw new ModelNotFoundError(
            `There is no alias "${name}"; \`tta-models versions pin ${name} <provider>/<model> --reason "…"\` creates one (\`tta-models versions pins\` lists them).`,
          );
        }
        return base(pin.model, context);
      }
      const plan = await base(name, context);
      if (!pin) return plan;
      const lead = plan.members.find((member) => member.name === pin.model);
      if (!lead || plan.members[0] === lead) return plan;
      return { ...plan, members: [lead, ...plan.members.filter((member) => member !== lead)] };
    },

    /** What the session tracker asks to keep sessions on their version. */
    sessionPolicy,

    /** Models with their versions: those that matter (used, changed, retiring), or `all`. */
    async list(
      query: { all?: boolean; model?: string; provider?: string } = {},
    ): Promise<VersionedModel[]> {
      await registry.reload();
      const retiring = new Map(
        (await deprecations()).map((deprecation) => [deprecation.model, deprecation]),
      );
      const byModel = new Map<string, ModelVersionRecord[]>();
      for (const version of registry.all()) {
        const list = byModel.get(version.model) ?? [];
        list.push(version);
        byModel.set(version.model, list);
      }
      const models: VersionedModel[] = [];
      for (const [model, versions] of byModel) {
        if (query.model !== undefined && model !== query.model) continue;
        if (query.provider !== undefined && providerOf(model) !== query.provider) continue;
        const latest = versions.reduce((newest, version) =>
          version.lastSeenAt >= newest.lastSeenAt ? version : newest,
        );
        const deprecation = retiring.get(model);
        const entry: VersionedModel = {
          model,
          providerId: latest.providerId,
          served: registry.current(model) ?? null,
          latest,
          versions: versions.length,
          dependents: registry.dependents(model),
          pins: registry
            .pins()
            .filter((pin) => pin.model === model)
            .map(registry.view),
          ...(deprecation
            ? {
                deprecation: {
                  timeline: deprecation.timeline,
                  ...(deprecation.suggestion ? { suggestion: deprecation.suggestion } : {}),
                  ...(deprecation.command ? { command: deprecation.command } : {}),
                },
              }
            : {}),
        };
        const matters =
          entry.dependents.length > 0 || entry.versions > 1 || deprecation !== undefined;
        if (query.all || query.model !== undefined || matters) models.push(entry);
      }
      return models.sort(
        (left, right) =>
          Number(right.dependents.length > 0) - Number(left.dependents.length > 0) ||
          left.model.localeCompare(right.model),
      );
    },

    /** One model: every version (newest first), its pins, what depends on it, its recent notices. */
    async show(model: string) {
      await registry.reload();
      const versions = registry
        .versionsOf(model)
        .sort(
          (left, right) =>
            right.firstSeenAt - left.firstSeenAt || right.lastSeenAt - left.lastSeenAt,
        );
      if (versions.length === 0) {
        throw new ModelNotFoundError(
          `No version of "${model}" is recorded. \`tta-models versions list --all\` lists the models with versions; \`tta-models models sync\` records catalog versions.`,
        );
      }
      const deprecation = (await deprecations()).find((entry) => entry.model === model);
      return {
        model,
        served: registry.current(model) ?? null,
        versions,
        pins: registry
          .pins()
          .filter((pin) => pin.model === model)
          .map(registry.view),
        dependents: registry.dependents(model),
        notices: await store.notices({ model, limit: 20 }),
        ...(deprecation ? { deprecation } : {}),
      };
    },

    /** Notices, newest first. */
    notices(
      query: {
        limit?: number;
        model?: string;
        since?: number;
        kinds?: readonly VersionNoticeKind[];
      } = {},
    ): Promise<VersionNoticeRecord[]> {
      return store.notices(query);
    },

    /** Pins in force; with `subject`, that subject's whole pin history too. */
    async pins(query: { subject?: string } = {}) {
      await registry.reload();
      const active = registry.pins().map(registry.view);
      if (query.subject === undefined) return { pins: active };
      const history = (await store.pins({ subject: query.subject, limit: 100 })).map(registry.view);
      return { pins: active.filter((pin) => pin.subject === query.subject), history };
    },

    /** Points a route or alias at a served version of a model (default: the one served now). */
    pin: pins.pin,

    /** Moves a pin to its model's served version, or to another model of the route. */
    promote: pins.promote,

    /** Returns a subject to the pin before its current one, in one step. */
    rollback: pins.rollback,

    /** Removes a subject's pin. */
    unpin: pins.unpin,

    /** Models that retire or are gone, with timelines, dependents and migration targets. */
    async deprecations(): Promise<Deprecation[]> {
      await registry.reload();
      return deprecations();
    },

    /** Moves every route of config.yaml and every pin from one model to another. */
    migrate,

    /** Conflicts among pins, config and what is served; `resolve` applies the safe resolutions now. */
    conflicts(request: { resolve?: boolean; by?: VersionActor } = {}): Promise<ConflictReport> {
      return request.resolve ? conflicts.resolve(request.by ?? systemActor) : conflicts.list();
    },

    /** The audit log, newest first. */
    audit(query: { limit?: number; subject?: string; action?: string } = {}) {
      return options.auditLog.list(query);
    },

    /** The version serving a model now, if known. */
    currentVersion(model: string): ModelVersionRecord | undefined {
      return registry.current(model);
    },

    /** Resolves once background work (recording, refreshing, webhook deliveries) is done. */
    idle,

    /** Waits for background work; the store is closed by its owner. */
    close: idle,
  };
}

/** The version management of a gateway. */
export type ModelVersions = ReturnType<typeof createModelVersions>;
