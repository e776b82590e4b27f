import type { ModelCard, Provider } from '../spec/index.js';

/** What one provider's listing came to. */
export interface ProviderListing {
  /** Configured provider id. */
  providerId: string;
  /** Its models; the last good list when the latest attempt failed. */
  models: ModelCard[];
  /** True when `models` came from a successful listing (fresh or cached). */
  known: boolean;
  /** Why the latest attempt failed, if it did. */
  error?: string;
  /** When `models` was listed (epoch ms), if ever. */
  listedAt?: number;
  /** When the latest attempt ended (epoch ms). */
  checkedAt: number;
}

/** Options of {@link createModelList}. */
export interface ModelListOptions {
  /** How long a good listing is reused, in milliseconds. */
  ttlMs?: number;
  /** How long a failed listing is reported before it is tried again, in milliseconds. */
  retryMs?: number;
  /** Longest wait for one provider's listing, in milliseconds. */
  timeoutMs?: number;
  /** Clock, injected for tests. */
  now?: () => number;
}

/**
 * Every provider's models, listed concurrently and cached. A provider that fails
 * keeps its last good list; one that never answered is reported with its error.
 */
export function createModelList(providers: readonly Provider[], options: ModelListOptions = {}) {
  const ttlMs = options.ttlMs ?? 60_000;
  const retryMs = options.retryMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const listings = new Map<string, ProviderListing>();
  const inFlight = new Map<string, Promise<ProviderListing>>();

  async function refresh(provider: Provider): Promise<ProviderListing> {
    const previous = listings.get(provider.id);
    try {
      const models = await provider.listModels({ signal: AbortSignal.timeout(timeoutMs) });
      const listedAt = now();
      const listing = {
        providerId: provider.id,
        models,
        known: true,
        listedAt,
        checkedAt: listedAt,
      };
      listings.set(provider.id, listing);
      return listing;
    } catch (error) {
      const listing: ProviderListing = {
        providerId: provider.id,
        models: previous?.models ?? [],
        known: previous?.known ?? false,
        error: error instanceof Error ? error.message : String(error),
        checkedAt: now(),
        ...(previous?.listedAt === undefined ? {} : { listedAt: previous.listedAt }),
      };
      listings.set(provider.id, listing);
      return listing;
    }
  }

  function listingOf(provider: Provider): Promise<ProviderListing> {
    const cached = listings.get(provider.id);
    if (cached && now() - cached.checkedAt < (cached.error === undefined ? ttlMs : retryMs)) {
      return Promise.resolve(cached);
    }
    let pending = inFlight.get(provider.id);
    if (!pending) {
      pending = refresh(provider).finally(() => inFlight.delete(provider.id));
      inFlight.set(provider.id, pending);
    }
    return pending;
  }

  return {
    /** Every provider's listing, refreshing those older than the TTL. */
    all(): Promise<ProviderListing[]> {
      return Promise.all(providers.map(listingOf));
    },
    /** The cached listing of one provider, without I/O (undefined before the first listing). */
    cached(providerId: string): ProviderListing | undefined {
      return listings.get(providerId);
    },
  };
}

/** The cached, concurrent model list of a gateway. */
export type ModelList = ReturnType<typeof createModelList>;
