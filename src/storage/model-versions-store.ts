import { type Kysely, type Selectable, sql } from 'kysely';
import type { VersionChange, VersionFacts } from '../spec/model-version.js';
import { type AuditEntry, insertAuditEntry, type NewAuditEntry, sortableId } from './audit-log.js';
import type {
  DatabaseSchema,
  ModelVersionsTable,
  VersionNoticesTable,
  VersionPinsTable,
} from './schema.js';
import type { WriteLock } from './write-lock.js';

/** One version of one model, as the registry keeps it. */
export interface ModelVersionRecord {
  /** `ver_<hash>`: the same model and identity always give the same id. */
  id: string;
  /** Public model name, `<providerId>/<modelId>`. */
  model: string;
  /** Configured provider id. */
  providerId: string;
  /** The identity as one string (canonical slug, created and card hash; digest; sha256; reported model). */
  key: string;
  /** The identity as a person reads it. */
  label: string;
  /** Identity and card facts. */
  facts: VersionFacts;
  /** When it was first seen, epoch milliseconds. */
  firstSeenAt: number;
  /** When a listing or an answer last showed it, epoch milliseconds. */
  lastSeenAt: number;
  /** True while the provider serves it. */
  current: boolean;
  /** When it stopped being served (replaced or gone), epoch milliseconds; null while served. */
  retiredAt: number | null;
  /** The version it replaced, if any. */
  previousId: string | null;
  /** What changed from the previous version, in words. */
  changeSummary: string | null;
}

/** What a notice is about. */
export type VersionNoticeKind =
  | 'new_version'
  | 'new_model'
  | 'removed'
  | 'returned'
  | 'deprecation'
  | 'conflict'
  | 'conflict_resolved';

/** How much a notice matters: `breaking` when requests that worked may fail now. */
export type VersionNoticeSeverity = 'info' | 'warning' | 'breaking';

/** Where a notice's webhook delivery stands. `none`: no webhook configured. */
export type NoticeDelivery = 'none' | 'pending' | 'sent' | 'failed';

/** A change, removal, deprecation or conflict an administrator is told about. */
export interface VersionNoticeRecord {
  /** `vnt_<sortable>`. */
  id: string;
  /** When, epoch milliseconds. */
  at: number;
  /** The model concerned. */
  model: string;
  kind: VersionNoticeKind;
  severity: VersionNoticeSeverity;
  /** The version it is about (the new one), if any. */
  versionId: string | null;
  /** The version before, if any. */
  previousVersionId: string | null;
  /** The whole notice in one readable line. */
  summary: string;
  /** Each change, for machines. */
  changes: VersionChange[];
  /** Routes, aliases and pins that depend on the model (`route:story`, `alias:narrator`). */
  dependents: string[];
  /** Webhook delivery. */
  delivery: NoticeDelivery;
  /** Why delivery failed, if it did. */
  deliveryError: string | null;
}

/** A notice to add. `dedupeKey` makes adding idempotent (two processes seeing one change). */
export type NewVersionNotice = Omit<VersionNoticeRecord, 'id' | 'at' | 'deliveryError'> & {
  dedupeKey: string;
  at?: number;
};

/** How a pin came to be. */
export type PinAction = 'pin' | 'promote' | 'rollback' | 'migrate' | 'auto';

/** A route or alias pointing at one version of one model. Every pin is kept; one per subject is active. */
export interface VersionPinRecord {
  /** `pin_<sortable>`. */
  id: string;
  /** `route:<name>` or `alias:<name>`. */
  subject: string;
  /** Public model name. */
  model: string;
  /** The pinned version. */
  versionId: string;
  action: PinAction;
  /** When, epoch milliseconds. */
  at: number;
  /** Who pinned it. */
  actor: string;
  /** Why. */
  reason: string;
  /** The pin this one replaced (what rollback returns to). */
  previousPinId: string | null;
  /** True for the subject's pin in force. */
  active: boolean;
}

/** A pin to put in force. */
export type NewVersionPin = Omit<VersionPinRecord, 'id' | 'at' | 'active' | 'subject'>;

/** Thrown when a subject's pin changed between reading it and changing it. */
export class PinChangedError extends Error {
  override name = 'PinChangedError';
}

/** The version tables behind a narrow interface. */
export interface ModelVersionStore {
  /** Versions, oldest first per model; only one model's or one provider's when asked. */
  list(query?: { model?: string; providerId?: string }): Promise<ModelVersionRecord[]>;
  /** A number that changes with every write, so other processes' writes are noticed cheaply. */
  generation(): Promise<number>;
  /**
   * Writes version rows (insert or replace) and adds notices in ONE transaction. A notice
   * whose dedupe key exists is skipped; returns the notices added.
   */
  apply(batch: {
    versions: readonly ModelVersionRecord[];
    notices: readonly NewVersionNotice[];
  }): Promise<VersionNoticeRecord[]>;
  /** Notices, newest first. */
  notices(query?: {
    limit?: number;
    model?: string;
    since?: number;
    kinds?: readonly VersionNoticeKind[];
  }): Promise<VersionNoticeRecord[]>;
  /** Records how a notice's webhook delivery went. */
  setDelivery(id: string, delivery: NoticeDelivery, error?: string): Promise<void>;
  /** The pin in force of every subject. */
  activePins(): Promise<VersionPinRecord[]>;
  /** Pins, newest first; one subject's when asked. */
  pins(query?: { subject?: string; limit?: number }): Promise<VersionPinRecord[]>;
  /** One pin by id. */
  pin(id: string): Promise<VersionPinRecord | undefined>;
  /**
   * Puts `next` in force for `subject` (or none, to unpin) with its audit entries and
   * notices, in ONE transaction, if the subject's active pin is still `expectedActiveId`;
   * throws `PinChangedError` otherwise. Returns the new pin and the notices added.
   */
  changePin(change: {
    subject: string;
    expectedActiveId: string | null;
    next: NewVersionPin | null;
    audit: readonly NewAuditEntry[];
    notices?: readonly NewVersionNotice[];
  }): Promise<{
    pin: VersionPinRecord | undefined;
    notices: VersionNoticeRecord[];
    audit: AuditEntry[];
  }>;
}

const generationKey = 'versions_generation';

/**
 * The version store over `model_versions`, `version_notices`, `version_pins` and `audit`;
 * `lock` makes pin changes of one subject from several processes happen one at a time.
 */
export function createModelVersionStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
  lock: WriteLock,
): ModelVersionStore {
  /**
   * Adds one to the generation in a single statement: two processes writing at once
   * get two generations, so each one's write is noticed by the others.
   */
  async function bump(executor: Kysely<DatabaseSchema>): Promise<void> {
    const updatedAt = Math.round(now());
    await executor
      .insertInto('settings')
      .values({ key: generationKey, value: '1', updated_at: updatedAt })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          value: sql<string>`cast(cast(settings.value as bigint) + 1 as text)`,
          updated_at: updatedAt,
        }),
      )
      .execute();
  }

  async function addNotices(
    executor: Kysely<DatabaseSchema>,
    notices: readonly NewVersionNotice[],
  ): Promise<VersionNoticeRecord[]> {
    const added: VersionNoticeRecord[] = [];
    for (const notice of notices) {
      const at = Math.round(notice.at ?? now());
      const record: VersionNoticeRecord = {
        id: sortableId('vnt', at),
        at,
        model: notice.model,
        kind: notice.kind,
        severity: notice.severity,
        versionId: notice.versionId,
        previousVersionId: notice.previousVersionId,
        summary: notice.summary,
        changes: notice.changes,
        dependents: notice.dependents,
        delivery: notice.delivery,
        deliveryError: null,
      };
      // Another process may have added the same notice: the unique key keeps one.
      const inserted = await executor
        .insertInto('version_notices')
        .values({
          id: record.id,
          at: record.at,
          model: record.model,
          kind: record.kind,
          severity: record.severity,
          version_id: record.versionId,
          previous_version_id: record.previousVersionId,
          summary: record.summary,
          changes: JSON.stringify(record.changes),
          dependents: JSON.stringify(record.dependents),
          dedupe_key: notice.dedupeKey,
          delivery: record.delivery,
          delivery_error: null,
        })
        .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) added.push(record);
    }
    return added;
  }

  return {
    async list(query = {}) {
      let select = db.selectFrom('model_versions').selectAll();
      if (query.model !== undefined) select = select.where('model', '=', query.model);
      if (query.providerId !== undefined)
        select = select.where('provider_id', '=', query.providerId);
      const rows = await select.orderBy('model').orderBy('first_seen_at').orderBy('id').execute();
      return rows.map(versionFromRow);
    },

    async generation() {
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', generationKey)
        .executeTakeFirst();
      return Number(row?.value ?? 0) || 0;
    },

    async apply(batch) {
      if (batch.versions.length === 0 && batch.notices.length === 0) return [];
      return db.transaction().execute(async (transaction) => {
        for (const version of batch.versions) {
          const row = versionToRow(version);
          const { id: _id, ...update } = row;
          await transaction
            .insertInto('model_versions')
            .values(row)
            .onConflict((conflict) => conflict.column('id').doUpdateSet(update))
            .execute();
        }
        const added = await addNotices(transaction, batch.notices);
        await bump(transaction);
        return added;
      });
    },

    async notices(query = {}) {
      let select = db.selectFrom('version_notices').selectAll();
      if (query.model !== undefined) select = select.where('model', '=', query.model);
      if (query.since !== undefined) select = select.where('at', '>=', query.since);
      if (query.kinds !== undefined && query.kinds.length > 0)
        select = select.where('kind', 'in', [...query.kinds]);
      const rows = await select
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map(noticeFromRow);
    },

    async setDelivery(id, delivery, error) {
      await db
        .updateTable('version_notices')
        .set({ delivery, delivery_error: error ?? null })
        .where('id', '=', id)
        .execute();
    },

    async activePins() {
      const rows = await db
        .selectFrom('version_pins')
        .selectAll()
        .where('active', '=', 1)
        .orderBy('subject')
        .execute();
      return rows.map(pinFromRow);
    },

    async pins(query = {}) {
      let select = db.selectFrom('version_pins').selectAll();
      if (query.subject !== undefined) select = select.where('subject', '=', query.subject);
      const rows = await select
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map(pinFromRow);
    },

    async pin(id) {
      const row = await db
        .selectFrom('version_pins')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && pinFromRow(row);
    },

    async changePin(change) {
      return db.transaction().execute(async (transaction) => {
        await lock(transaction, `version_pins:${change.subject}`);
        const active = await transaction
          .selectFrom('version_pins')
          .select('id')
          .where('subject', '=', change.subject)
          .where('active', '=', 1)
          .executeTakeFirst();
        if ((active?.id ?? null) !== change.expectedActiveId) {
          throw new PinChangedError(
            `the pin of ${change.subject} changed meanwhile (someone else changed it); look at \`tta-models versions pins\` and try again`,
          );
        }
        if (active) {
          await transaction
            .updateTable('version_pins')
            .set({ active: 0 })
            .where('id', '=', active.id)
            .execute();
        }
        let created: VersionPinRecord | undefined;
        if (change.next) {
          const at = Math.round(now());
          created = {
            ...change.next,
            id: sortableId('pin', at),
            subject: change.subject,
            at,
            active: true,
          };
          await transaction.insertInto('version_pins').values(pinToRow(created)).execute();
        }
        const audit: AuditEntry[] = [];
        for (const entry of change.audit)
          audit.push(await insertAuditEntry(transaction, entry, now));
        const notices = change.notices ? await addNotices(transaction, change.notices) : [];
        await bump(transaction);
        return { pin: created, notices, audit };
      });
    },
  };
}

function versionToRow(version: ModelVersionRecord): ModelVersionsTable {
  return {
    id: version.id,
    model: version.model,
    provider_id: version.providerId,
    version_key: version.key,
    label: version.label,
    facts: JSON.stringify(version.facts),
    first_seen_at: Math.round(version.firstSeenAt),
    last_seen_at: Math.round(version.lastSeenAt),
    current: version.current ? 1 : 0,
    retired_at: version.retiredAt === null ? null : Math.round(version.retiredAt),
    previous_id: version.previousId,
    change_summary: version.changeSummary,
  };
}

function versionFromRow(row: Selectable<ModelVersionsTable>): ModelVersionRecord {
  return {
    id: row.id,
    model: row.model,
    providerId: row.provider_id,
    key: row.version_key,
    label: row.label,
    facts: JSON.parse(row.facts) as VersionFacts,
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    current: Number(row.current) === 1,
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    previousId: row.previous_id,
    changeSummary: row.change_summary,
  };
}

const noticeKinds: readonly VersionNoticeKind[] = [
  'new_version',
  'new_model',
  'removed',
  'returned',
  'deprecation',
  'conflict',
  'conflict_resolved',
];

function noticeFromRow(row: Selectable<VersionNoticesTable>): VersionNoticeRecord {
  const kind = noticeKinds.find((candidate) => candidate === row.kind) ?? 'new_version';
  const severity: VersionNoticeSeverity =
    row.severity === 'breaking' || row.severity === 'warning' ? row.severity : 'info';
  const delivery: NoticeDelivery =
    row.delivery === 'pending' || row.delivery === 'sent' || row.delivery === 'failed'
      ? row.delivery
      : 'none';
  return {
    id: row.id,
    at: Number(row.at),
    model: row.model,
    kind,
    severity,
    versionId: row.version_id,
    previousVersionId: row.previous_version_id,
    summary: row.summary,
    changes: JSON.parse(row.changes) as VersionChange[],
    dependents: JSON.parse(row.dependents) as string[],
    delivery,
    deliveryError: row.delivery_error,
  };
}

const pinActions: readonly PinAction[] = ['pin', 'promote', 'rollback', 'migrate', 'auto'];

function pinToRow(pin: VersionPinRecord): VersionPinsTable {
  return {
    id: pin.id,
    subject: pin.subject,
    model: pin.model,
    version_id: pin.versionId,
    action: pin.action,
    at: pin.at,
    actor: pin.actor,
    reason: pin.reason,
    previous_pin_id: pin.previousPinId,
    active: pin.active ? 1 : 0,
  };
}

function pinFromRow(row: Selectable<VersionPinsTable>): VersionPinRecord {
  return {
    id: row.id,
    subject: row.subject,
    model: row.model,
    versionId: row.version_id,
    action: pinActions.find((action) => action === row.action) ?? 'pin',
    at: Number(row.at),
    actor: row.actor,
    reason: row.reason,
    previousPinId: row.previous_pin_id,
    active: Number(row.active) === 1,
  };
}
