/**
 * One provider's catalog sync: download, read, check, and store all or nothing. A failed,
 * truncated or suspiciously short download never replaces the last good catalog; the
 * attempt is recorded either way, and the result says what was added, changed, removed
 * and skipped. Never throws.
 */
import type { CatalogSyncStatus, ModelCatalogStore } from '../storage/index.js';
import type { CatalogSource } from './catalog-source.js';
import type { SkippedEntry } from './openrouter-models.js';

/** What one provider's sync did. */
export interface ProviderSyncResult {
  /** Configured provider id. */
  providerId: string;
  /** `synced`: stored. `failed`: no usable download. `rejected`: a download that looked cut short, not stored. */
  status: 'synced' | 'failed' | 'rejected';
  /** Models in the catalog now (for a failed or rejected sync: the ones kept). */
  models: number;
  /** Ids of models new to the catalog. */
  added: string[];
  /** Ids of models whose card changed. */
  changed: string[];
  /** Ids of models no longer listed. */
  removed: string[];
  /** How many stayed as they were. */
  unchanged: number;
  /** Entries of the download that could not be read. */
  skipped: SkippedEntry[];
  /** Why it failed or was rejected, and what to do. */
  error?: string;
  /** When the stored catalog was synced, epoch milliseconds (absent when there is none). */
  syncedAt?: number;
}

/** Options of {@link syncProviderCatalog}. */
export interface SyncProviderOptions {
  /** Store a download even when it shrank suspiciously. */
  force?: boolean;
  /** Aborts the download. */
  signal: AbortSignal;
  /** The clock, epoch milliseconds. */
  now: () => number;
  /** Models in the stored catalog now, and when it was synced. */
  previous: { models: number; syncedAt: number | undefined };
}

/**
 * A remote catalog this big that loses more than half of its models in one sync is
 * treated as a cut-short download. OpenRouter adds and retires a handful at a time.
 */
const shrinkGuardMinimum = 20;

/** Syncs one provider's catalog into the store. */
export async function syncProviderCatalog(
  source: CatalogSource,
  store: ModelCatalogStore,
  options: SyncProviderOptions,
): Promise<ProviderSyncResult> {
  const startedAt = options.now();
  const { providerId } = source;
  const kept = {
    models: options.previous.models,
    ...(options.previous.syncedAt === undefined ? {} : { syncedAt: options.previous.syncedAt }),
  };
  const unsuccessful = async (
    status: Exclude<CatalogSyncStatus, 'succeeded'>,
    error: string,
    download?: { models: number; skipped: SkippedEntry[] },
  ): Promise<ProviderSyncResult> => {
    try {
      await store.recordFailure(providerId, {
        startedAt,
        status,
        error,
        ...(download ? { models: download.models, skipped: download.skipped.length } : {}),
      });
    } catch {
      // The result below still says what happened; a database that cannot record is reported elsewhere.
    }
    return {
      providerId,
      status: status === 'rejected' ? 'rejected' : 'failed',
      ...kept,
      ...{ added: [], changed: [], removed: [], unchanged: 0 },
      skipped: download?.skipped ?? [],
      error,
    };
  };

  let parsed: Awaited<ReturnType<CatalogSource['download']>>;
  try {
    parsed = await source.download(options.signal);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return unsuccessful('failed', `${providerId}: could not download its models: ${reason}`);
  }

  const count = parsed.entries.length;
  const previous = options.previous.models;
  const shrank =
    source.remote &&
    previous > 0 &&
    (count === 0 || (previous >= shrinkGuardMinimum && count < previous / 2));
  if (shrank && !options.force) {
    return unsuccessful(
      'rejected',
      `${providerId}: the download lists ${count} model(s) where the catalog has ${previous}; it looks cut short, so the catalog was kept. If the provider really dropped them, run \`tta-models models sync --force\`.`,
      { models: count, skipped: parsed.skipped },
    );
  }
  if (count === 0 && parsed.skipped.length > 0) {
    return unsuccessful(
      'failed',
      `${providerId}: none of the ${parsed.skipped.length} listed model(s) could be read (first problem: ${parsed.skipped[0]?.reason}); the catalog was kept.`,
      { models: 0, skipped: parsed.skipped },
    );
  }

  try {
    const { changes, record } = await store.replace(providerId, parsed.entries, {
      startedAt,
      skipped: parsed.skipped.length,
    });
    return {
      providerId,
      status: 'synced',
      models: record.models,
      ...changes,
      skipped: parsed.skipped,
      syncedAt: record.finishedAt,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return unsuccessful('failed', `${providerId}: the catalog could not be stored: ${reason}`);
  }
}
