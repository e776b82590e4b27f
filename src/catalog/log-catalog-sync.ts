import type { CatalogSyncResult } from './model-catalog.js';

/** The logger methods a sync report needs (pino's shape). */
export interface SyncLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Logs one line per provider of a catalog sync: what changed, or why it failed. */
export function logCatalogSync(logger: SyncLogger, result: CatalogSyncResult): void {
  for (const provider of result.providers) {
    const counts = {
      provider: provider.providerId,
      status: provider.status,
      models: provider.models,
      added: provider.added.length,
      changed: provider.changed.length,
      removed: provider.removed.length,
      skipped: provider.skipped.length,
    };
    if (provider.status === 'synced') {
      logger.info(
        counts,
        `catalog of ${provider.providerId} synced: ${provider.models} models (+${counts.added} ~${counts.changed} -${counts.removed})`,
      );
    } else {
      logger.warn(counts, provider.error ?? `catalog of ${provider.providerId} not synced`);
    }
  }
}
