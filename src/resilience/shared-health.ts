/**
 * Breaker state shared between replicas, approximately. Each replica keeps its own
 * cockatiel breakers and rolling health; what it tells the others is only what changes a
 * routing decision: a breaker opened (hold the model back for the breaker's pause), the
 * model answered again (stop holding it back; a breaker that opened earlier starts afresh),
 * and `Retry-After` cooldowns. Those go into `health_events` as rows; every replica reads
 * the others' new rows when PostgreSQL notifies it of one (milliseconds), and in any case
 * every `pollMs` in the background, so a lost notification connection delays them by a
 * poll at most. Nothing here runs on the request path: announcing is a write nobody waits
 * for, and hearing only fills maps that `isUnwell` and `isCooling` look up.
 *
 * The approximation: error rates and latency percentiles stay per replica (a model slow
 * only from one replica is demoted only there); a model held back by another replica's
 * breaker is demoted behind healthy ones, not refused (it is still tried when nothing else
 * is left, and answering there ends the hold everywhere); times are the writer's clock, so
 * replicas' clocks should agree to within a second or so (NTP).
 */
import type { ChangeFeed, HealthEventRecord, HealthEvents } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Cooldowns } from './cooldowns.js';
import type { HealthSignal, ModelHealth } from './model-health.js';

/** Options of {@link createSharedHealth}. */
export interface SharedHealthOptions {
  /** The shared event table. */
  store: HealthEvents;
  /** Pushes `health` when another replica appended an event. */
  changes: Pick<ChangeFeed, 'subscribe'>;
  /** This replica's health, told what others saw. */
  health: Pick<ModelHealth, 'hear'>;
  /** This replica's cooldowns, told others' `Retry-After`s. */
  cooldowns: Pick<Cooldowns, 'coolFromElsewhere'>;
  /** This replica's name in the events it writes; its own events are skipped when read. */
  replica: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
  /** How often others' events are read without a notification, ms (default 2,000). */
  pollMs?: number;
  /** How far back events are read, ms: longer holds are cut short for a replica starting later (default 10 minutes). */
  lookbackMs?: number;
  /** How long events are kept before any replica deletes them, ms (default 1 hour). */
  keepMs?: number;
}

/**
 * Ids that commit out of order (two replicas appending at once) could fall behind a
 * reader's cursor: each read starts this many ids back and skips the ids it has seen.
 */
const overlap = 64;
/** How often a replica deletes old events. */
const pruneEveryMs = 10 * 60_000;

/** Shares breaker openings, recoveries and cooldowns with the other replicas. */
export function createSharedHealth(options: SharedHealthOptions) {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 2_000;
  const lookbackMs = options.lookbackMs ?? 10 * 60_000;
  const keepMs = options.keepMs ?? 60 * 60_000;
  const seen = new Set<number>();
  const writes = new Set<Promise<unknown>>();
  let cursor = 0;
  let prunedAt = now();
  let reading: Promise<void> | undefined;
  let readAgain = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  function apply(event: HealthEventRecord): void {
    // What is left of the hold, never more than it was given (a writer's clock ahead of ours).
    const remainingMs = Math.min(event.durationMs, event.at + event.durationMs - now());
    if (event.kind === 'cooldown') {
      if (remainingMs > 0) options.cooldowns.coolFromElsewhere(event.model, remainingMs);
      return;
    }
    if (event.kind === 'opened' && remainingMs <= 0) return;
    const changed = options.health.hear({
      model: event.model,
      kind: event.kind,
      remainingMs,
      at: event.at,
    });
    if (!changed) return;
    options.logger.info(
      { model: event.model, replica: event.replica, event: event.kind },
      event.kind === 'opened'
        ? `${event.model}: held back for ${Math.round(remainingMs / 1000)} s, its breaker opened on replica ${event.replica} (${event.cause})`
        : `${event.model}: back in rotation, it answered on replica ${event.replica}`,
    );
  }

  async function readOnce(): Promise<boolean> {
    const events = await options.store.after(Math.max(0, cursor - overlap), {
      since: now() - lookbackMs,
    });
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      cursor = Math.max(cursor, event.id);
      if (event.replica !== options.replica) apply(event);
    }
    for (const id of seen) if (id <= cursor - overlap) seen.delete(id);
    if (now() - prunedAt > pruneEveryMs) {
      prunedAt = now();
      await options.store.prune(now() - keepMs);
    }
    // A full page: there is more to read.
    return events.length >= 500;
  }

  /** Reads new events; a read asked for while one runs runs once more after it. Never throws. */
  function read(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        if (await readOnce()) readAgain = true;
      } while (readAgain);
      if (failing) options.logger.info('shared model health: reading events again');
      failing = false;
    })()
      .catch((error: unknown) => {
        // Logged once per outage, not once per poll.
        if (!failing)
          options.logger.warn({ err: error }, 'shared model health: cannot read events');
        failing = true;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  function write(
    kind: HealthEventRecord['kind'],
    model: string,
    durationMs: number,
    cause: string,
  ) {
    const work = options.store
      .add({ replica: options.replica, model, kind, at: now(), durationMs, cause })
      .catch((error: unknown) =>
        options.logger.warn({ err: error, model }, 'shared model health: event not stored'),
      )
      .finally(() => writes.delete(work));
    writes.add(work);
  }

  return {
    /** Starts reading others' events: at once, on each notification, and every `pollMs`. */
    start(): Promise<void> {
      unsubscribe ??= options.changes.subscribe(['health'], () => void read());
      if (!timer) {
        timer = setInterval(() => void read(), pollMs);
        timer.unref();
      }
      return read();
    },
    /** Tells the others what this replica's breaker did. Returns at once. */
    announce(signal: HealthSignal): void {
      write(signal.kind, signal.model, signal.durationMs, signal.cause);
    },
    /** Tells the others a provider asked to wait `ms` for `model`. Returns at once. */
    announceCooldown(model: string, ms: number): void {
      write('cooldown', model, ms, `Retry-After: ${Math.round(ms / 1000)} s`);
    },
    /** Reads others' events now (tests, and the change feed). */
    read,
    /** Stops reading and waits for events still being written. */
    async close(): Promise<void> {
      unsubscribe?.();
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...writes, reading]);
    },
  };
}

/** Breaker state shared with other replicas. */
export type SharedHealth = ReturnType<typeof createSharedHealth>;
