/**
 * The version registry in memory: every version by id, the one each model serves, the
 * pins in force, and what depends on a model. The hot path (planning a chat, arranging a
 * session) reads only this; it is re-read after every write, and within seconds of
 * another process's write (the CLI pinning while the server runs).
 */
import type { ModelVersionRecord, ModelVersionStore, VersionPinRecord } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';

/** A pin with what it means now. */
export interface PinView extends VersionPinRecord {
  /** The pinned version's label. */
  label: string;
  /** True while the provider serves the pinned version. */
  served: boolean;
}

/** Options of {@link createVersionRegistry}. */
export interface VersionRegistryOptions {
  store: Pick<ModelVersionStore, 'generation' | 'list' | 'activePins'>;
  /** The routes of the live configuration. */
  routes: () => Readonly<Record<string, { models: readonly string[] }>>;
  logger: Pick<Logger, 'warn'>;
  now: () => number;
  /** How often the hot path checks for other processes' writes, milliseconds (default 2,000). */
  refreshCheckMs?: number;
}

/** `openrouter/meta-llama/x` → `openrouter`. */
export function providerOf(model: string): string {
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash) : model;
}

/** Creates the in-memory registry; call `reload()` before reading it. */
export function createVersionRegistry(options: VersionRegistryOptions) {
  const { store, logger, now } = options;
  const refreshCheckMs = options.refreshCheckMs ?? 2_000;
  let versionsById = new Map<string, ModelVersionRecord>();
  let currentByModel = new Map<string, ModelVersionRecord>();
  let pinsBySubject = new Map<string, VersionPinRecord>();
  let generation = -1;
  let checkedAt = 0;
  let refreshing: Promise<void> | undefined;
  // A change announced while a refresh was already reading: read once more after it.
  let refreshAgain = false;
  const pending = new Set<Promise<unknown>>();

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.then(
      () => pending.delete(work),
      () => pending.delete(work),
    );
    return work;
  }

  async function reload(): Promise<void> {
    const [stamp, versions, pins] = await Promise.all([
      store.generation(),
      store.list(),
      store.activePins(),
    ]);
    versionsById = new Map(versions.map((version) => [version.id, version]));
    currentByModel = new Map(
      versions.filter((version) => version.current).map((version) => [version.model, version]),
    );
    pinsBySubject = new Map(pins.map((pin) => [pin.subject, pin]));
    generation = stamp;
    checkedAt = now();
  }

  function dependents(model: string): string[] {
    const found = new Set<string>();
    for (const [name, route] of Object.entries(options.routes()))
      if (route.models.includes(model)) found.add(`route:${name}`);
    for (const pin of pinsBySubject.values()) if (pin.model === model) found.add(pin.subject);
    return [...found].sort();
  }

  /** Re-reads in the background when another process wrote; never blocks, never throws. */
  function maybeRefresh(): void {
    if (refreshing || now() - checkedAt < refreshCheckMs) return;
    checkedAt = now();
    refreshing = track(
      (async () => {
        if ((await store.generation()) !== generation) await reload();
      })()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'model versions could not be re-read'),
        )
        .finally(() => {
          refreshing = undefined;
          if (refreshAgain) refreshNow();
        }),
    );
  }

  function refreshNow(): void {
    refreshAgain = refreshing !== undefined;
    if (refreshAgain) return;
    checkedAt = Number.NEGATIVE_INFINITY;
    maybeRefresh();
  }

  return {
    reload,

    maybeRefresh,

    /**
     * Like `maybeRefresh`, without waiting out `refreshCheckMs`: another process announced
     * a write (PostgreSQL's change feed). Never blocks, never throws.
     */
    refreshNow,

    /** The version `model` serves now. */
    current: (model: string): ModelVersionRecord | undefined => currentByModel.get(model),

    /** Any version by id. */
    byId: (id: string): ModelVersionRecord | undefined => versionsById.get(id),

    /** Every version. */
    all: (): ModelVersionRecord[] => [...versionsById.values()],

    /** One model's versions. */
    versionsOf: (model: string): ModelVersionRecord[] =>
      [...versionsById.values()].filter((version) => version.model === model),

    /** The version of `model` seen last (served or not). */
    latestOf(model: string): ModelVersionRecord | undefined {
      let latest: ModelVersionRecord | undefined;
      for (const version of versionsById.values())
        if (version.model === model && (!latest || version.lastSeenAt >= latest.lastSeenAt))
          latest = version;
      return latest;
    },

    /** The pin in force of a subject. */
    pin: (subject: string): VersionPinRecord | undefined => pinsBySubject.get(subject),

    /** Every pin in force. */
    pins: (): VersionPinRecord[] => [...pinsBySubject.values()],

    /** Routes, aliases and pins that depend on `model`, sorted. */
    dependents,

    /** A pin with its label and whether its version is served. */
    view(pin: VersionPinRecord): PinView {
      return {
        ...pin,
        label: versionsById.get(pin.versionId)?.label ?? pin.versionId,
        served: currentByModel.get(pin.model)?.id === pin.versionId,
      };
    },

    /** Keeps background work countable, for `idle()`. */
    track,

    /** Resolves once tracked background work is done. */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** The in-memory version registry. */
export type VersionRegistry = ReturnType<typeof createVersionRegistry>;
