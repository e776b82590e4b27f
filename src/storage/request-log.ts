import {
  databaseUnavailableExplanations,
  databaseUnavailableReason,
} from './database-unavailable.js';
import type { RequestLog, RequestLogEntry, RequestLogStats } from './request-log-types.js';
import type { RequestQueries } from './request-queries.js';
import { toRequestRow } from './request-row.js';
import type { RequestsTable } from './schema.js';

/** How the request log batches its writes. */
export interface RequestLogOptions {
  /** Flush this long after the first row waits, milliseconds (default 250). */
  flushIntervalMs?: number;
  /** Flush at once when this many rows wait (default 500). */
  maxBatchRows?: number;
  /** Keep at most this many rows while the database refuses them; the oldest go first (default 50,000). */
  maxBufferedRows?: number;
  /** Longest wait between retries of a failing flush, milliseconds (default 5,000). */
  maxRetryDelayMs?: number;
  /** Receives every background failure; must not throw (if it does, the throw is swallowed). */
  onError?: (error: Error) => void;
}

/** Dependencies of the request log. */
export interface RequestLogDependencies extends RequestLogOptions {
  /** The SQL behind the log. */
  queries: RequestQueries;
  /** The clock, epoch milliseconds. */
  now: () => number;
}

/** At most this many rows go into one transaction, so a large backlog never stalls the event loop long. */
const rowsPerTransaction = 5_000;

/** Rows one pruning statement deletes, for the same reason. */
const rowsPerPrune = 5_000;

/**
 * Creates the request log: `record` pushes to memory, a timer (unref'd) or a
 * full batch triggers a flush that writes the buffer in one transaction. A
 * failed flush puts its rows back and retries later with a growing delay.
 */
export function createRequestLog(dependencies: RequestLogDependencies): RequestLog {
  const { queries, now } = dependencies;
  const flushIntervalMs = dependencies.flushIntervalMs ?? 250;
  const maxBatchRows = dependencies.maxBatchRows ?? 500;
  const maxBufferedRows = Math.max(1, dependencies.maxBufferedRows ?? 50_000);
  const maxRetryDelayMs = dependencies.maxRetryDelayMs ?? 5_000;
  const onError = dependencies.onError ?? ((error) => console.error(error));

  let buffer: RequestsTable[] = [];
  const stats: Omit<RequestLogStats, 'buffered'> = { written: 0, dropped: 0, failedFlushes: 0 };
  let consecutiveFailures = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closed = false;
  // Flushes run one after another; each link never rejects.
  let flushChain: Promise<void> = Promise.resolve();

  function report(error: Error): void {
    try {
      onError(error);
    } catch {
      // The error sink failing must not break the log.
    }
  }

  /**
   * Drops the oldest rows beyond the bound, 1% at a time so each drop is amortised, and
   * says so each time: losing rows is something the operator must hear about.
   */
  function enforceBound(): void {
    if (buffer.length <= maxBufferedRows) return;
    const excess = buffer.length - maxBufferedRows;
    const dropCount = Math.max(excess, Math.floor(maxBufferedRows / 100));
    buffer.splice(0, dropCount);
    stats.dropped += dropCount;
    report(
      new Error(
        `request log: ${maxBufferedRows} rows are waiting for the database, the most kept in memory; dropped the ${dropCount} oldest (${stats.dropped} dropped so far). Make the database writable again, or raise maxBufferedRows.`,
      ),
    );
  }

  function schedule(): void {
    if (closed || timer !== undefined || buffer.length === 0) return;
    const delay =
      consecutiveFailures === 0
        ? flushIntervalMs
        : Math.min(flushIntervalMs * 2 ** consecutiveFailures, maxRetryDelayMs);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delay);
    timer.unref();
  }

  async function drain(): Promise<void> {
    while (buffer.length > 0) {
      const rows = buffer.splice(0, rowsPerTransaction);
      try {
        await queries.insert(rows);
        stats.written += rows.length;
        consecutiveFailures = 0;
      } catch (cause) {
        // Rows recorded during the failed write are newer: keep the order.
        buffer = rows.concat(buffer);
        enforceBound();
        consecutiveFailures += 1;
        stats.failedFlushes += 1;
        const reason = cause instanceof Error ? cause.message : String(cause);
        const unavailable = databaseUnavailableReason(cause);
        const why = unavailable ? `${databaseUnavailableExplanations[unavailable]}: ` : '';
        report(
          new Error(
            `request log: writing ${rows.length} rows failed (kept for retry; ${buffer.length} waiting in memory, at most ${maxBufferedRows}): ${why}${reason}`,
            { cause },
          ),
        );
        return;
      }
      // Let requests run between transactions of a large backlog.
      if (buffer.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    flushChain = flushChain.then(drain).then(schedule, (error: unknown) => {
      report(error instanceof Error ? error : new Error(String(error)));
    });
    return flushChain;
  }

  return {
    record(entry: RequestLogEntry): void {
      try {
        if (closed) {
          stats.dropped += 1;
          return;
        }
        buffer.push(toRequestRow(entry, now()));
        enforceBound();
        // While the database refuses writes, only the retry timer flushes.
        if (buffer.length >= maxBatchRows && consecutiveFailures === 0) {
          immediate ??= setImmediate(() => {
            immediate = undefined;
            void flush();
          }).unref();
        } else {
          schedule();
        }
      } catch (error) {
        report(error instanceof Error ? error : new Error(String(error)));
      }
    },
    flush,
    async recent(query = {}) {
      await flush();
      return queries.recent(query);
    },
    async summary(query = {}) {
      await flush();
      return queries.summary(query.since);
    },
    stats: () => ({ buffered: buffer.length, ...stats }),
    async prune(before) {
      let deleted = 0;
      for (;;) {
        const count = await queries.deleteBefore(before, rowsPerPrune);
        deleted += count;
        if (count < rowsPerPrune) return deleted;
        // Let requests run between deletions of a large backlog.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async close() {
      closed = true;
      if (immediate !== undefined) clearImmediate(immediate);
      immediate = undefined;
      await flush();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (buffer.length > 0) {
        stats.dropped += buffer.length;
        report(new Error(`request log: ${buffer.length} rows could not be written before close`));
        buffer = [];
      }
    },
  };
}
