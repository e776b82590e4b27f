/**
 * The model catalog: every configured provider's models in one place, stored with the
 * time of their sync so they can be browsed when a provider cannot be reached, filtered
 * by the pure functions of `filter-catalog.ts`, with free-model limits and warnings.
 */
import type { ProviderConfig } from '../config/config-schema.js';
import { openRouterBaseUrl } from '../providers/openrouter/openrouter-provider.js';
import { InvalidRequestError, ModelNotFoundError, type Provider } from '../spec/index.js';
import type { CatalogSyncState, ModelCatalogStore, StoredCatalogEntry } from '../storage/index.js';
import { type CatalogSource, catalogSourceFor } from './catalog-source.js';
import {
  type CatalogProviderStatus,
  providerStatus,
  type SetupAdvice,
  setupAdvice,
} from './catalog-status.js';
import { type CatalogFilter, type CatalogItem, filterCatalog } from './filter-catalog.js';
import {
  documentedFreeLimits,
  type FreeModelLimits,
  fetchFreeLimits,
} from './free-model-limits.js';
import { type FreeModelNotice, freeModelNotice } from './free-model-notice.js';
import { type ProviderSyncResult, syncProviderCatalog } from './sync-provider-catalog.js';
import { createSyncSchedule, type SyncSchedule } from './sync-schedule.js';

/**
 * When browsing syncs first. `if-stale`: providers never synced, older than their
 * maximum age, or failed longer ago than the retry interval. `if-missing`: only those
 * never synced. `never`: what is stored. `always`: every provider.
 */
export type CatalogRefresh = 'if-stale' | 'if-missing' | 'never' | 'always';

/** Timings of the catalog; every one has a default. */
export interface CatalogTimings {
  /** Age after which a remote catalog (OpenRouter) is synced again when browsed (default 6 h). */
  maxAgeMs?: number;
  /** Age after which a local or custom provider's list is read again when browsed (default 1 min). */
  localMaxAgeMs?: number;
  /** Wait after a failed sync before browsing tries again (default 1 min). */
  retryMs?: number;
  /** Longest wait for one provider's download (default 15 s). */
  timeoutMs?: number;
  /** Time between the server's background syncs; 0 turns them off (default 6 h). */
  syncIntervalMs?: number;
  /** How long an account's free-model limits are reused (default 5 min). */
  limitsTtlMs?: number;
}

/** Options of {@link createModelCatalog}. */
export interface ModelCatalogOptions extends CatalogTimings {
  /** Where the catalog is stored. */
  store: ModelCatalogStore;
  /** The gateway's providers, in config order. */
  providers: readonly Provider[];
  /** Their config entries (keys resolved), for base URLs and headers. */
  configs: readonly ProviderConfig[];
  /** The key a call by `owner` to `providerId` would use (for the account's free-model limits). */
  apiKeyFor: (providerId: string, owner: string) => Promise<string | undefined>;
  /** The clock, epoch milliseconds. */
  now?: () => number;
  /** Told what each background sync did. */
  onBackgroundSync?: (result: CatalogSyncResult) => void;
  /** Where background sync problems are reported. */
  onBackgroundError?: (error: unknown) => void;
  /**
   * Told of every provider sync, awaited before the sync resolves (model versions record
   * what changed). Must not throw.
   */
  onProviderSynced?: (result: ProviderSyncResult) => Promise<unknown> | undefined;
}

/** Options of a browse. */
export interface BrowseOptions {
  /** What to show (everything by default). */
  filter?: CatalogFilter;
  /** When to sync first (default `if-stale`). */
  refresh?: CatalogRefresh;
  /** Whose keys tell the free-model limits (default the operator's). */
  owner?: string;
  /** Include free-model limits when free remote models are shown (default true). */
  limits?: boolean;
}

/** What a browse shows, and how fresh it is. */
export interface CatalogMeta {
  /** Models in the catalog. */
  total: number;
  /** Models that passed the filter. */
  shown: number;
  /** True when some provider's part is a cached copy (or missing) because its last sync failed. */
  offline: boolean;
  /** What the reader must be told: offline notices, setup advice. */
  notices: string[];
  /** Each provider's part of the catalog. */
  providers: CatalogProviderStatus[];
  /** Whether to send the user to `tta-models setup`. */
  setup: SetupAdvice;
  /** Free-model limits of each OpenRouter provider whose free models are shown. */
  freeLimits: FreeModelLimits[];
  /** When this view was made, epoch milliseconds. */
  generatedAt: number;
}

/** A browse's answer. */
export interface CatalogView {
  /** The models shown, in the asked order. */
  models: CatalogItem[];
  /** Freshness, notices and limits. */
  meta: CatalogMeta;
}

/** What a sync did, provider by provider. */
export interface CatalogSyncResult {
  /** True when every provider synced. */
  ok: boolean;
  /** Start, epoch milliseconds. */
  startedAt: number;
  /** End, epoch milliseconds. */
  finishedAt: number;
  /** Each provider's result. */
  providers: ProviderSyncResult[];
}

/** One model with its notice. */
export interface CatalogModelDetails {
  /** The model. */
  model: CatalogItem;
  /** The warning for a free remote model, else undefined. */
  notice?: FreeModelNotice;
  /** Freshness of the catalog it came from. */
  meta: CatalogMeta;
}

const minute = 60_000;

/** Creates the catalog of a gateway. */
export function createModelCatalog(options: ModelCatalogOptions) {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 360 * minute;
  const localMaxAgeMs = options.localMaxAgeMs ?? minute;
  const retryMs = options.retryMs ?? minute;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const limitsTtlMs = options.limitsTtlMs ?? 5 * minute;
  const configs = new Map(options.configs.map((config) => [config.id, config]));
  const sources = options.providers.map((provider) =>
    catalogSourceFor(provider, configs.get(provider.id), { timeoutMs }),
  );
  const sourceById = new Map(sources.map((source) => [source.providerId, source]));
  const inFlight = new Map<string, Promise<ProviderSyncResult>>();
  const limitsCache = new Map<string, { limits: FreeModelLimits; at: number }>();

  const maxAgeOf = (source: CatalogSource) => (source.remote ? maxAgeMs : localMaxAgeMs);

  function syncOne(
    source: CatalogSource,
    state: CatalogSyncState | undefined,
    force: boolean,
  ): Promise<ProviderSyncResult> {
    let pending = inFlight.get(source.providerId);
    if (!pending) {
      pending = syncProviderCatalog(source, options.store, {
        force,
        now,
        signal: AbortSignal.timeout(timeoutMs),
        previous: {
          models: state?.lastGood?.models ?? 0,
          syncedAt: state?.lastGood?.finishedAt,
        },
      })
        .then(async (result) => {
          await options.onProviderSynced?.(result);
          return result;
        })
        .finally(() => inFlight.delete(source.providerId));
      inFlight.set(source.providerId, pending);
    }
    return pending;
  }

  async function sync(
    request: { providerIds?: readonly string[]; force?: boolean } = {},
  ): Promise<CatalogSyncResult> {
    const startedAt = now();
    for (const id of request.providerIds ?? []) {
      if (!sourceById.has(id)) {
        const known = sources.map((source) => `"${source.providerId}"`).join(', ') || 'none';
        throw new InvalidRequestError(
          `No provider "${id}" is configured (configured: ${known}); sync names a provider id from config.yaml.`,
          'provider',
        );
      }
    }
    const chosen = sources.filter(
      (source) =>
        request.providerIds === undefined || request.providerIds.includes(source.providerId),
    );
    const states = await options.store.states();
    const providers = await Promise.all(
      chosen.map((source) =>
        syncOne(source, states.get(source.providerId), request.force === true),
      ),
    );
    return {
      ok: providers.every((result) => result.status === 'synced'),
      startedAt,
      finishedAt: now(),
      providers,
    };
  }

  function needsSync(
    source: CatalogSource,
    state: CatalogSyncState | undefined,
    refresh: CatalogRefresh,
  ): boolean {
    if (refresh === 'never') return false;
    if (refresh === 'always' || state === undefined) return true;
    const sinceAttempt = now() - state.latest.finishedAt;
    const failed = state.latest.status !== 'succeeded';
    if (refresh === 'if-missing') return state.lastGood === undefined && sinceAttempt >= retryMs;
    return failed ? sinceAttempt >= retryMs : sinceAttempt >= maxAgeOf(source);
  }

  async function freeLimits(providerId: string, owner: string): Promise<FreeModelLimits> {
    const cacheKey = `${providerId}\u0000${owner}`;
    const cached = limitsCache.get(cacheKey);
    if (cached && now() - cached.at < limitsTtlMs) return cached.limits;
    const config = configs.get(providerId);
    const limits = await fetchFreeLimits({
      providerId,
      baseUrl: config?.baseUrl ?? openRouterBaseUrl,
      apiKey: await options.apiKeyFor(providerId, owner),
      ...(config?.headers ? { headers: config.headers } : {}),
    });
    // Published figures stand in after a failure; ask again sooner then.
    if (limits.source === 'account') limitsCache.set(cacheKey, { limits, at: now() });
    return limits;
  }

  async function view(browse: BrowseOptions = {}): Promise<CatalogView> {
    let states = await options.store.states();
    const stale = sources.filter((source) =>
      needsSync(source, states.get(source.providerId), browse.refresh ?? 'if-stale'),
    );
    if (stale.length > 0) {
      await Promise.all(
        stale.map((source) => syncOne(source, states.get(source.providerId), false)),
      );
      states = await options.store.states();
    }
    const stored = await options.store.list(sources.map((source) => source.providerId));
    // Providers in config order; each provider's models in the order it listed them.
    const order = new Map(sources.map((source, index) => [source.providerId, index]));
    const items = stored
      .flatMap((entry) => {
        const source = sourceById.get(entry.card.providerId);
        return source ? [toItem(entry, source)] : [];
      })
      .sort(
        (left, right) => (order.get(left.providerId) ?? 0) - (order.get(right.providerId) ?? 0),
      );
    const generatedAt = now();
    const statuses = sources.map((source) =>
      providerStatus(
        source,
        states.get(source.providerId),
        items.filter((item) => item.providerId === source.providerId).length,
        maxAgeOf(source),
        generatedAt,
      ),
    );
    const models = filterCatalog(items, browse.filter ?? {});
    const setup = setupAdvice(statuses);
    const limitProviders =
      browse.limits === false
        ? []
        : sources.filter(
            (source) =>
              source.type === 'openrouter' &&
              models.some((item) => item.providerId === source.providerId && item.isFree),
          );
    const freeLimitsShown = await Promise.all(
      limitProviders.map((source) => {
        const status = statuses.find((candidate) => candidate.providerId === source.providerId);
        // An unreachable provider will not answer for the key either.
        if (status?.state === 'offline' || status?.state === 'unavailable')
          return documentedFreeLimits(source.providerId, `${source.providerId} is offline`);
        return freeLimits(source.providerId, browse.owner ?? 'operator');
      }),
    );
    const notices = statuses.flatMap((status) => (status.notice ? [status.notice] : []));
    if (setup.message) notices.push(setup.message);
    return {
      models,
      meta: {
        total: items.length,
        shown: models.length,
        offline: statuses.some(
          (status) => status.state === 'offline' || status.state === 'unavailable',
        ),
        notices,
        providers: statuses,
        setup,
        freeLimits: freeLimitsShown,
        generatedAt,
      },
    };
  }

  let schedule: SyncSchedule | undefined;

  return {
    /** The catalog, filtered, synced first as `refresh` says. */
    browse: view,

    /** Syncs the named providers (all by default) now; returns what each sync did. Never throws for a provider's failure. */
    sync,

    /** One model by `<providerId>/<modelId>`, with the warning due for a free remote model. */
    async describe(
      name: string,
      request: { owner?: string; refresh?: CatalogRefresh } = {},
    ): Promise<CatalogModelDetails> {
      const { models, meta } = await view({
        refresh: request.refresh ?? 'if-stale',
        limits: false,
        ...(request.owner === undefined ? {} : { owner: request.owner }),
      });
      const model = models.find((item) => item.name === name);
      if (!model) {
        throw new ModelNotFoundError(
          `The catalog has no model "${name}"; \`tta-models models --search <words>\` or GET /api/catalog?search=<words> finds model names.`,
        );
      }
      const limits =
        model.isFree && model.providerType === 'openrouter' && !model.local
          ? meta.providers.find((status) => status.providerId === model.providerId)?.state ===
            'live'
            ? await freeLimits(model.providerId, request.owner ?? 'operator')
            : documentedFreeLimits(model.providerId, `${model.providerId} is offline`)
          : undefined;
      const notice = freeModelNotice(model, models, limits);
      return { model, ...(notice === undefined ? {} : { notice }), meta };
    },

    /** The free-model limits of an OpenRouter provider for an owner's key. Never throws. */
    freeLimits,

    /** True when no provider is configured: every entry point points to `tta-models setup`. */
    get setupNeeded(): boolean {
      return sources.length === 0;
    },

    /** Starts the periodic background sync (the server does, once listening). Never waits. */
    startBackgroundSync(): void {
      const intervalMs = options.syncIntervalMs ?? maxAgeMs;
      if (intervalMs <= 0 || sources.length === 0) return;
      schedule ??= createSyncSchedule({
        intervalMs,
        now,
        sync: async () => options.onBackgroundSync?.(await sync()),
        lastSyncedAt: async () => {
          const states = await options.store.states();
          const attempts = sources.flatMap((source) => {
            const state = states.get(source.providerId);
            return state ? [state.latest.finishedAt] : [];
          });
          return attempts.length === 0 ? undefined : Math.min(...attempts);
        },
        ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
      });
      schedule.start();
    },

    /** Stops the background sync. */
    stopBackgroundSync(): void {
      schedule?.stop();
    },

    /** Resolves when no background or browse-triggered sync is in flight. */
    async idle(): Promise<void> {
      await schedule?.idle();
      await Promise.allSettled([...inFlight.values()]);
    },

    /** When the next background sync is due (epoch ms), if one is scheduled. */
    get nextBackgroundSyncAt(): number | undefined {
      return schedule?.nextRunAt;
    },
  };
}

/** A gateway's model catalog. */
export type ModelCatalog = ReturnType<typeof createModelCatalog>;

function toItem(entry: StoredCatalogEntry, source: CatalogSource): CatalogItem {
  const { name: displayName, ...card } = entry.card;
  return {
    ...card,
    name: `${card.providerId}/${card.id}`,
    ...(displayName === undefined || displayName === card.id ? {} : { displayName }),
    providerType: source.type,
    local: source.local,
  };
}
