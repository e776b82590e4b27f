import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AlertsTable } from './benchmark-tables.js';
import type { DatabaseSchema } from './schema.js';
import type { WriteLock } from './write-lock.js';

/** What an alert watches. */
export type AlertMetric = 'p95_latency_ms' | 'error_rate' | 'safety_pass_rate' | 'cost_per_day_usd';

/** A threshold alert. */
export interface AlertRecord {
  /** `alert_<random>`. */
  id: string;
  /** The condition, `metric|model|task`: at most one alert per key is open. */
  key: string;
  metric: AlertMetric;
  model: string;
  /** Null: every task together. */
  task: string | null;
  /** The value that crossed the threshold (the latest seen while open). */
  value: number;
  threshold: number;
  /** What happened, in a sentence. */
  message: string;
  /** What to do about it (as the evaluator wrote it). */
  suggestion: unknown;
  status: 'open' | 'cleared';
  openedAt: number;
  lastSeenAt: number;
  clearedAt: number | null;
  /** When the webhook accepted the alert. */
  notifiedAt: number | null;
  /** Why the webhook did not. */
  notifyError: string | null;
}

/** Stored alerts. */
export interface AlertStore {
  /**
   * Opens an alert unless one with the same key is open; returns the new alert, or
   * undefined when one was already open (it is touched instead).
   */
  open(
    alert: Omit<
      AlertRecord,
      'id' | 'status' | 'openedAt' | 'lastSeenAt' | 'clearedAt' | 'notifiedAt' | 'notifyError'
    >,
  ): Promise<AlertRecord | undefined>;
  /** Open alerts. */
  openAlerts(): Promise<AlertRecord[]>;
  /** Clears an open alert; returns it, or undefined when it was not open. */
  clear(id: string, value: number): Promise<AlertRecord | undefined>;
  /** Records what the webhook said. */
  notified(id: string, error: string | null): Promise<void>;
  /** Newest first. */
  list(query?: {
    status?: 'open' | 'cleared';
    limit?: number;
    model?: string;
  }): Promise<AlertRecord[]>;
}

function toAlert(row: AlertsTable): AlertRecord {
  const time = (value: number | bigint | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    key: row.key,
    metric: row.metric as AlertMetric,
    model: row.model,
    task: row.task,
    value: Number(row.value),
    threshold: Number(row.threshold),
    message: row.message,
    suggestion: row.suggestion === null ? null : (JSON.parse(row.suggestion) as unknown),
    status: row.status === 'open' ? 'open' : 'cleared',
    openedAt: Number(row.opened_at),
    lastSeenAt: Number(row.last_seen_at),
    clearedAt: time(row.cleared_at),
    notifiedAt: time(row.notified_at),
    notifyError: row.notify_error,
  };
}

/**
 * Alerts over the `alerts` table; `lock` makes replicas evaluating the same condition at
 * once open one alert (and send one notification) between them.
 */
export function createAlertStore(
  db: Kysely<DatabaseSchema>,
  now: () => number,
  lock: WriteLock,
): AlertStore {
  return {
    async open(alert) {
      const at = Math.round(now());
      return db.transaction().execute(async (transaction) => {
        await lock(transaction, `alerts:${alert.key}`);
        const existing = await transaction
          .selectFrom('alerts')
          .select('id')
          .where('key', '=', alert.key)
          .where('status', '=', 'open')
          .executeTakeFirst();
        if (existing) {
          await transaction
            .updateTable('alerts')
            .set({ value: alert.value, last_seen_at: at })
            .where('id', '=', existing.id)
            .execute();
          return undefined;
        }
        const row: AlertsTable = {
          id: `alert_${randomBytes(8).toString('hex')}`,
          key: alert.key,
          metric: alert.metric,
          model: alert.model,
          task: alert.task,
          value: alert.value,
          threshold: alert.threshold,
          message: alert.message,
          suggestion: alert.suggestion === null ? null : JSON.stringify(alert.suggestion),
          status: 'open',
          opened_at: at,
          last_seen_at: at,
          cleared_at: null,
          notified_at: null,
          notify_error: null,
        };
        await transaction.insertInto('alerts').values(row).execute();
        return toAlert(row);
      });
    },

    async openAlerts() {
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .where('status', '=', 'open')
        .orderBy('opened_at')
        .execute();
      return rows.map(toAlert);
    },

    async clear(id, value) {
      const at = Math.round(now());
      const result = await db
        .updateTable('alerts')
        .set({ status: 'cleared', cleared_at: at, last_seen_at: at, value })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await db
        .selectFrom('alerts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return toAlert(row);
    },

    async notified(id, error) {
      await db
        .updateTable('alerts')
        .set(
          error === null
            ? { notified_at: Math.round(now()), notify_error: null }
            : { notify_error: error },
        )
        .where('id', '=', id)
        .execute();
    },

    async list(query = {}) {
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .$if(query.status !== undefined, (select) =>
          select.where('status', '=', query.status ?? 'open'),
        )
        .$if(query.model !== undefined, (select) => select.where('model', '=', query.model ?? ''))
        .orderBy('opened_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000))
        .execute();
      return rows.map(toAlert);
    },
  };
}
