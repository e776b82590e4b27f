import type pg from 'pg';
import { changeChannel } from './migrations/0009-shared-health.js';

/**
 * What changed, by what it means to a cache: `users` (users and their tokens), `keys`
 * (provider keys), `settings` (preferences, the admin token, version generations),
 * `versions` (model versions and pins), `health` (another replica's breaker or cooldown
 * event). Migration 0009 maps tables to these.
 */
export type ChangeTopic = 'users' | 'keys' | 'settings' | 'versions' | 'health';

/** Every topic, for a listener that must hear them all. */
export const changeTopics: readonly ChangeTopic[] = [
  'users',
  'keys',
  'settings',
  'versions',
  'health',
];

/**
 * Writes committed by any process sharing the database, pushed as they happen, so caches
 * can drop what they hold at once instead of waiting out their window. Only a hint: a
 * listener re-reads what it needs. Caches keep their time windows, which still bound
 * staleness while pushes are unavailable (SQLite, where one process owns the file; or the
 * listening connection is down and reconnecting).
 */
export interface ChangeFeed {
  /** True where writes are pushed (PostgreSQL); false on SQLite, where nothing is ever heard. */
  readonly pushed: boolean;
  /** True while the listening connection is up. */
  readonly connected: boolean;
  /**
   * Calls `listener` with the topic whenever a write to one of `topics` commits — this
   * process's writes included — and once per topic each time the listening connection
   * (re)opens, since what happened while it was down was not heard. The first subscription
   * opens the connection (a process that never subscribes, like the CLI, opens none).
   * Returns a function that unsubscribes.
   */
  subscribe(topics: readonly ChangeTopic[], listener: (topic: ChangeTopic) => void): () => void;
  /** Stops listening for good. */
  close(): Promise<void>;
}

/** The feed of a database nobody else writes (SQLite): silent, free. */
export const silentChangeFeed: ChangeFeed = {
  pushed: false,
  connected: false,
  subscribe: () => () => {},
  close: async () => {},
};

/** Options of {@link createPostgresChangeFeed}. */
export interface PostgresChangeFeedOptions {
  /** `postgres://...` of the shared database. */
  url: string;
  /** Hears a lost or failed listening connection (it is retried). */
  onError: (error: Error) => void;
  /** First wait before reconnecting, milliseconds (default 500); doubles up to `maxReconnectMs`. */
  reconnectMs?: number;
  /** Longest wait between reconnection attempts (default 5,000: the caches' own window). */
  maxReconnectMs?: number;
}

/**
 * PostgreSQL `LISTEN` on a connection of its own (outside the pool: a listening connection
 * must stay open), reopened with backoff when it drops.
 */
export function createPostgresChangeFeed(options: PostgresChangeFeedOptions): ChangeFeed {
  const firstWaitMs = options.reconnectMs ?? 500;
  const maxWaitMs = options.maxReconnectMs ?? 5_000;
  const listeners = new Map<ChangeTopic, Set<(topic: ChangeTopic) => void>>();
  let client: pg.Client | undefined;
  let started = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  function deliver(topic: ChangeTopic): void {
    for (const listener of listeners.get(topic) ?? []) {
      try {
        listener(topic);
      } catch (error) {
        options.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || retry) return;
    const waitMs = Math.min(maxWaitMs, firstWaitMs * 2 ** Math.min(failures, 10));
    failures += 1;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, waitMs);
    // Reconnecting must not keep a finished process alive.
    retry.unref();
  }

  function lost(which: pg.Client, error: Error | undefined): void {
    if (client !== which) return;
    client = undefined;
    which.end().catch(() => {});
    if (closed) return;
    options.onError(
      new Error(
        `database change notifications stopped (${error?.message ?? 'connection ended'}); caches fall back to re-reading every few seconds until it reconnects`,
        { cause: error },
      ),
    );
    scheduleReconnect();
  }

  async function connect(): Promise<void> {
    // Loaded here: a gateway on SQLite never needs the driver.
    const { default: driver } = await import('pg');
    const next = new driver.Client({
      connectionString: options.url,
      application_name: 'tta-models-changes',
      // A silently dead peer is noticed by TCP keepalive rather than never.
      keepAlive: true,
    });
    next.on('notification', (message) => {
      const topic = message.payload as ChangeTopic | undefined;
      if (message.channel === changeChannel && topic && listeners.has(topic)) deliver(topic);
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, undefined));
    try {
      await next.connect();
      await next.query(`listen ${changeChannel}`);
    } catch (error) {
      next.end().catch(() => {});
      if (failures === 0) {
        const reason = error instanceof Error ? error.message : String(error);
        options.onError(new Error(`cannot listen for database changes: ${reason}; retrying`));
      }
      scheduleReconnect();
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    failures = 0;
    // Whatever was written before LISTEN took hold was not heard: every cache re-reads once.
    for (const topic of listeners.keys()) deliver(topic);
  }

  return {
    pushed: true,
    get connected() {
      return client !== undefined;
    },
    subscribe(topics, listener) {
      for (const topic of topics) {
        let set = listeners.get(topic);
        if (!set) {
          set = new Set();
          listeners.set(topic, set);
        }
        set.add(listener);
      }
      if (!started && !closed) {
        started = true;
        void connect();
      }
      return () => {
        for (const topic of topics) listeners.get(topic)?.delete(listener);
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    },
  };
}
