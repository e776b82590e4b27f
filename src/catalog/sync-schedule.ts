/**
 * The server's periodic catalog sync. Its timers are unref'd, so they never keep the
 * process alive, and starting it never waits for a sync: a catalog older than the
 * interval is synced right away in the background, a newer one when it comes due.
 * A catalog that was never synced waits for its first browse (which syncs it) or
 * one interval, whichever comes first.
 */

/** The timer functions the schedule uses; injected by tests. */
export interface ScheduleTimers {
  setTimeout(callback: () => void, ms: number): { unref?(): unknown };
  clearTimeout(handle: { unref?(): unknown }): void;
}

/** Options of {@link createSyncSchedule}. */
export interface SyncScheduleOptions {
  /** Time between syncs, in milliseconds. */
  intervalMs: number;
  /** When the catalog was last synced (epoch ms), or undefined when never. */
  lastSyncedAt: () => Promise<number | undefined>;
  /** Runs one sync. Its errors are reported to `onError` and do not stop the schedule. */
  sync: () => Promise<unknown>;
  /** The clock, epoch milliseconds. */
  now: () => number;
  /** Called with anything a sync threw. */
  onError?: (error: unknown) => void;
  /** Timer functions (default Node's). */
  timers?: ScheduleTimers;
}

/** A running schedule. */
export interface SyncSchedule {
  /** Starts it (again after `stop`); does nothing when running. Never waits for a sync. */
  start(): void;
  /** Stops it; a sync in flight finishes on its own. */
  stop(): void;
  /** Resolves when no sync started by the schedule is in flight (for tests and shutdown). */
  idle(): Promise<void>;
  /** When the next sync is due, epoch milliseconds; undefined when stopped. */
  readonly nextRunAt: number | undefined;
}

const nodeTimers: ScheduleTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Creates the periodic sync; call `start()` once the server listens. */
export function createSyncSchedule(options: SyncScheduleOptions): SyncSchedule {
  const timers = options.timers ?? nodeTimers;
  let running = false;
  let timer: { unref?(): unknown } | undefined;
  let nextRunAt: number | undefined;
  let pending: Promise<void> = Promise.resolve();

  function schedule(delayMs: number): void {
    if (!running) return;
    nextRunAt = options.now() + delayMs;
    timer = timers.setTimeout(() => {
      timer = undefined;
      pending = run();
    }, delayMs);
    timer.unref?.();
  }

  async function run(): Promise<void> {
    if (!running) return;
    nextRunAt = undefined;
    try {
      await options.sync();
    } catch (error) {
      options.onError?.(error);
    }
    schedule(options.intervalMs);
  }

  async function begin(): Promise<void> {
    let last: number | undefined;
    try {
      last = await options.lastSyncedAt();
    } catch (error) {
      options.onError?.(error);
    }
    if (!running) return;
    const delay =
      last === undefined
        ? options.intervalMs
        : Math.max(0, last + options.intervalMs - options.now());
    if (delay === 0) await run();
    else schedule(delay);
  }

  return {
    start() {
      if (running) return;
      running = true;
      pending = begin();
    },
    stop() {
      running = false;
      nextRunAt = undefined;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
    async idle() {
      // A run may schedule the next one and a timer may fire meanwhile: wait until settled.
      let seen: Promise<void> | undefined;
      while (seen !== pending) {
        seen = pending;
        await seen;
      }
    },
    get nextRunAt() {
      return nextRunAt;
    },
  };
}
