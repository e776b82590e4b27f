import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ModelCard } from '../spec/model-card.js';
import type { CatalogModelsTable, CatalogSyncsTable, DatabaseSchema } from './schema.js';
import type { WriteLock } from './write-lock.js';

/** One model as a sync hands it over: the normalised card and the provider's own entry. */
export interface CatalogEntry {
  /** The normalised card. */
  card: ModelCard;
  /** The provider's own entry, every field kept (JSON-serialisable), or null. */
  raw: unknown;
}

/** One stored model. */
export interface StoredCatalogEntry extends CatalogEntry {
  /** When a sync first listed it, epoch milliseconds. */
  firstSeenAt: number;
  /** When a good sync last wrote it, epoch milliseconds. */
  updatedAt: number;
}

/** How a sync attempt ended. `rejected`: the download looked incomplete and was not stored. */
export type CatalogSyncStatus = 'succeeded' | 'failed' | 'rejected';

/** One recorded sync attempt of one provider. */
export interface CatalogSyncRecord {
  /** `sync_<random>`. */
  id: string;
  /** Configured provider id. */
  providerId: string;
  /** Start, epoch milliseconds. */
  startedAt: number;
  /** End, epoch milliseconds. */
  finishedAt: number;
  /** How it ended. */
  status: CatalogSyncStatus;
  /** Models downloaded. */
  models: number;
  /** Models new since the last good sync. */
  added: number;
  /** Models whose card changed. */
  changed: number;
  /** Models gone since the last good sync. */
  removed: number;
  /** Entries that could not be read. */
  skipped: number;
  /** Why it failed or was rejected, else null. */
  error: string | null;
}

/** What a stored sync changed, by model id. */
export interface CatalogChanges {
  /** Models new to the catalog. */
  added: string[];
  /** Models whose card changed. */
  changed: string[];
  /** Models no longer listed. */
  removed: string[];
  /** How many stayed as they were. */
  unchanged: number;
}

/** A provider's latest attempt and latest good sync. */
export interface CatalogSyncState {
  /** The latest attempt, whatever its outcome. */
  latest: CatalogSyncRecord;
  /** The latest good sync, if there ever was one. */
  lastGood: CatalogSyncRecord | undefined;
}

/** The catalog tables behind a narrow interface. */
export interface ModelCatalogStore {
  /** Stored models, in provider then listing order; only these providers' when given. */
  list(providerIds?: readonly string[]): Promise<StoredCatalogEntry[]>;
  /**
   * Replaces one provider's models with `entries` and records a good sync, in ONE
   * transaction: readers see the old catalog or the new one, never a mix.
   */
  replace(
    providerId: string,
    entries: readonly CatalogEntry[],
    run: { startedAt: number; skipped: number },
  ): Promise<{ changes: CatalogChanges; record: CatalogSyncRecord }>;
  /** Records a failed or rejected attempt; the stored models stay as they were. */
  recordFailure(
    providerId: string,
    run: {
      startedAt: number;
      status: Exclude<CatalogSyncStatus, 'succeeded'>;
      error: string;
      models?: number;
      skipped?: number;
    },
  ): Promise<CatalogSyncRecord>;
  /** Each provider's latest attempt and latest good sync, by provider id. */
  states(): Promise<Map<string, CatalogSyncState>>;
  /** Recorded attempts, newest first. */
  runs(options?: { providerId?: string; limit?: number }): Promise<CatalogSyncRecord[]>;
}

/** Attempts kept per provider; older ones are pruned as new ones are recorded. */
const keptRunsPerProvider = 200;
/** Rows per insert statement, well under SQLite's bound-parameter limit. */
const insertChunk = 100;

/**
 * The catalog store over `catalog_models` and `catalog_syncs`; `now` stamps writes, `lock`
 * makes replicas syncing one provider at once replace its catalog one after the other.
 */
export function createModelCatalogStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
  lock: WriteLock,
): ModelCatalogStore {
  async function insertRun(
    executor: Kysely<DatabaseSchema>,
    row: CatalogSyncsTable,
  ): Promise<CatalogSyncRecord> {
    await executor.insertInto('catalog_syncs').values(row).execute();
    const keep = executor
      .selectFrom('catalog_syncs')
      .select('id')
      .where('provider_id', '=', row.provider_id)
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .limit(keptRunsPerProvider);
    await executor
      .deleteFrom('catalog_syncs')
      .where('provider_id', '=', row.provider_id)
      .where('id', 'not in', keep)
      .execute();
    return runFromRow(row);
  }

  return {
    async list(providerIds) {
      if (providerIds !== undefined && providerIds.length === 0) return [];
      let query = db.selectFrom('catalog_models').selectAll();
      if (providerIds !== undefined) query = query.where('provider_id', 'in', [...providerIds]);
      const rows = await query.orderBy('provider_id').orderBy('position').execute();
      return rows.map(entryFromRow);
    },

    async replace(providerId, entries, run) {
      return db.transaction().execute(async (transaction) => {
        await lock(transaction, `catalog:${providerId}`);
        const finishedAt = Math.round(now());
        const previous = await transaction
          .selectFrom('catalog_models')
          .select(['model_id', 'card', 'first_seen_at'])
          .where('provider_id', '=', providerId)
          .execute();
        const before = new Map(previous.map((row) => [row.model_id, row]));
        const changes: CatalogChanges = { added: [], changed: [], removed: [], unchanged: 0 };
        const seen = new Set<string>();
        const rows: CatalogModelsTable[] = [];
        for (const entry of entries) {
          const modelId = entry.card.id;
          // A listing that names a model twice keeps the first entry.
          if (seen.has(modelId)) continue;
          seen.add(modelId);
          const card = JSON.stringify(entry.card);
          const old = before.get(modelId);
          if (old === undefined) changes.added.push(modelId);
          else if (old.card !== card) changes.changed.push(modelId);
          else changes.unchanged += 1;
          rows.push({
            provider_id: providerId,
            model_id: modelId,
            position: rows.length,
            card,
            raw: entry.raw === null || entry.raw === undefined ? null : JSON.stringify(entry.raw),
            first_seen_at: old === undefined ? finishedAt : Number(old.first_seen_at),
            updated_at: finishedAt,
          });
        }
        for (const modelId of before.keys()) if (!seen.has(modelId)) changes.removed.push(modelId);

        await transaction
          .deleteFrom('catalog_models')
          .where('provider_id', '=', providerId)
          .execute();
        for (let start = 0; start < rows.length; start += insertChunk) {
          await transaction
            .insertInto('catalog_models')
            .values(rows.slice(start, start + insertChunk))
            .execute();
        }
        const record = await insertRun(transaction, {
          id: newRunId(),
          provider_id: providerId,
          started_at: Math.round(run.startedAt),
          finished_at: finishedAt,
          status: 'succeeded',
          models: rows.length,
          added: changes.added.length,
          changed: changes.changed.length,
          removed: changes.removed.length,
          skipped: run.skipped,
          error: null,
        });
        return { changes, record };
      });
    },

    async recordFailure(providerId, run) {
      return insertRun(db, {
        id: newRunId(),
        provider_id: providerId,
        started_at: Math.round(run.startedAt),
        finished_at: Math.round(now()),
        status: run.status,
        models: run.models ?? 0,
        added: 0,
        changed: 0,
        removed: 0,
        skipped: run.skipped ?? 0,
        error: run.error,
      });
    },

    async states() {
      // Two small grouped reads; the table holds at most a few hundred rows per provider.
      const rows = await db
        .selectFrom('catalog_syncs')
        .selectAll()
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const states = new Map<string, CatalogSyncState>();
      for (const row of rows) {
        const record = runFromRow(row);
        const state = states.get(record.providerId);
        if (state === undefined) {
          states.set(record.providerId, {
            latest: record,
            lastGood: record.status === 'succeeded' ? record : undefined,
          });
        } else if (state.lastGood === undefined && record.status === 'succeeded') {
          state.lastGood = record;
        }
      }
      return states;
    },

    async runs(options = {}) {
      let query = db.selectFrom('catalog_syncs').selectAll();
      if (options.providerId !== undefined)
        query = query.where('provider_id', '=', options.providerId);
      const rows = await query
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? 50)
        .execute();
      return rows.map(runFromRow);
    },
  };
}

function newRunId(): string {
  return `sync_${randomBytes(8).toString('hex')}`;
}

function entryFromRow(row: Selectable<CatalogModelsTable>): StoredCatalogEntry {
  return {
    card: JSON.parse(row.card) as ModelCard,
    raw: row.raw === null ? null : (JSON.parse(row.raw) as unknown),
    firstSeenAt: Number(row.first_seen_at),
    updatedAt: Number(row.updated_at),
  };
}

function runFromRow(row: Selectable<CatalogSyncsTable>): CatalogSyncRecord {
  const status: CatalogSyncStatus =
    row.status === 'succeeded' || row.status === 'rejected' ? row.status : 'failed';
  return {
    id: row.id,
    providerId: row.provider_id,
    startedAt: Number(row.started_at),
    finishedAt: Number(row.finished_at),
    status,
    models: Number(row.models),
    added: Number(row.added),
    changed: Number(row.changed),
    removed: Number(row.removed),
    skipped: Number(row.skipped),
    error: row.error,
  };
}
