/**
 * How fresh each provider's part of the catalog is, and what to tell the reader: the
 * "offline, cached at ..." notice when the last sync failed and the last good catalog
 * is shown, and the pointer to `tta-models setup` when nothing is configured. Pure.
 */
import type { CatalogSyncState } from '../storage/index.js';
import type { CatalogSource } from './catalog-source.js';

/**
 * `live`: the latest sync worked. `offline`: it failed, the last good catalog is shown.
 * `unavailable`: it failed and there never was a good one. `never-synced`: not tried yet.
 */
export type CatalogProviderState = 'live' | 'offline' | 'unavailable' | 'never-synced';

/** One provider's part of the catalog. */
export interface CatalogProviderStatus {
  /** Configured provider id. */
  providerId: string;
  /** Its provider type. */
  type: CatalogSource['type'];
  /** True when its models run on this machine. */
  local: boolean;
  /** See {@link CatalogProviderState}. */
  state: CatalogProviderState;
  /** Models in its stored catalog. */
  models: number;
  /** When its shown catalog was synced, epoch milliseconds. */
  syncedAt?: number;
  /** How old its shown catalog is, milliseconds. */
  ageMs?: number;
  /** True when it is older than the provider's maximum age. */
  stale: boolean;
  /** When a sync was last tried, epoch milliseconds. */
  lastAttemptAt?: number;
  /** Why the last attempt failed. */
  error?: string;
  /** What a reader should be told, e.g. `openrouter: offline, cached at ...`. */
  notice?: string;
}

/** Whether the user must be sent to `tta-models setup`, and why. */
export interface SetupAdvice {
  /** True when no provider is configured at all. */
  needed: boolean;
  /** What to tell the user (also when setup would merely help: nothing is reachable). */
  message?: string;
}

/** The command that guides a user through configuring providers. */
export const setupCommand = 'tta-models setup';

/** The status of one provider from its sync state. */
export function providerStatus(
  source: CatalogSource,
  state: CatalogSyncState | undefined,
  models: number,
  maxAgeMs: number,
  now: number,
): CatalogProviderStatus {
  const base = { providerId: source.providerId, type: source.type, local: source.local, models };
  if (state === undefined) return { ...base, state: 'never-synced', stale: true };
  const lastGood = state.lastGood;
  const shown =
    lastGood === undefined
      ? {}
      : { syncedAt: lastGood.finishedAt, ageMs: Math.max(0, now - lastGood.finishedAt) };
  const stale = lastGood === undefined || now - lastGood.finishedAt > maxAgeMs;
  const attempt = { lastAttemptAt: state.latest.finishedAt };
  if (state.latest.status === 'succeeded')
    return { ...base, ...shown, ...attempt, state: 'live', stale };
  const error = state.latest.error ?? 'the last sync failed';
  if (lastGood === undefined) {
    return {
      ...base,
      ...attempt,
      state: 'unavailable',
      stale,
      error,
      notice: `${source.providerId}: no models to show, the catalog was never downloaded (${error})`,
    };
  }
  return {
    ...base,
    ...shown,
    ...attempt,
    state: 'offline',
    stale,
    error,
    notice: `${source.providerId}: offline, cached at ${new Date(lastGood.finishedAt).toISOString()} (${formatAge(now - lastGood.finishedAt)} ago); the last sync failed: ${error}`,
  };
}

/** Setup advice for a catalog: needed with no providers, suggested when none lists a model. */
export function setupAdvice(statuses: readonly CatalogProviderStatus[]): SetupAdvice {
  if (statuses.length === 0) {
    return {
      needed: true,
      message: `No model provider is configured. Run \`${setupCommand}\` to choose local models (Ollama, llama.cpp), OpenRouter (free models included) or your own API key.`,
    };
  }
  const tried = statuses.filter((status) => status.state !== 'never-synced');
  if (tried.length > 0 && statuses.every((status) => status.models === 0)) {
    return {
      needed: false,
      message: `None of the configured providers (${statuses.map((status) => status.providerId).join(', ')}) offers a model right now. Run \`${setupCommand}\` to check them, or start a local server such as Ollama.`,
    };
  }
  return { needed: false };
}

/** `42 s`, `5 min`, `3 h`, `2 d`. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}
