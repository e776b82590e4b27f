/**
 * Keeps replicas that share one PostgreSQL database in step beyond the rows they share.
 * Rows (keys, pins, users, sessions) are one truth already; what lags is what each process
 * keeps in memory in front of them, and what each learns from its own traffic:
 *
 * - Caches drop what they hold the moment another process commits a change (PostgreSQL
 *   `LISTEN`/`NOTIFY`, see `storage/change-feed.ts`): a revoked user token, a removed key,
 *   a pin, saved preferences take effect on every replica at once. Each cache keeps its
 *   own time window as well, which still bounds staleness while the notification
 *   connection is down and reconnecting.
 * - Breaker openings, recoveries and `Retry-After` cooldowns go to the others through
 *   `resilience/shared-health.ts`, so a model one replica sees failing is held back by all.
 *
 * On SQLite there is one process and nothing of this is started.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { AccessControl } from '../access/access-control.js';
import type { Cooldowns } from '../resilience/cooldowns.js';
import type { HealthSignal, ModelHealth } from '../resilience/model-health.js';
import { createSharedHealth } from '../resilience/shared-health.js';
import type { KeySelection } from '../secrets/key-selection.js';
import type { KeyVault } from '../secrets/key-vault.js';
import type { SelectionService } from '../selection/selection-service.js';
import type { ChangeTopic, Storage } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { ModelVersions } from '../versions/model-versions.js';

/** What {@link startReplicaSync} keeps in step. */
export interface ReplicaSyncOptions {
  storage: Pick<Storage, 'changes' | 'healthEvents'>;
  /** This replica's name in shared events (default: host, process id and a random suffix). */
  replica?: string;
  modelHealth: Pick<ModelHealth, 'hear'>;
  cooldowns: Pick<Cooldowns, 'coolFromElsewhere'>;
  access: Pick<AccessControl, 'usersChanged' | 'settingsChanged'>;
  keys: Pick<KeySelection, 'invalidate'>;
  vault: Pick<KeyVault, 'knownSecrets'>;
  versions: Pick<ModelVersions, 'changedElsewhere'>;
  selection: Pick<SelectionService, 'preferencesChanged'>;
  logger: Logger;
}

/** A running replica sync. */
export interface ReplicaSync {
  /** This replica's name in shared events. */
  readonly replica: string;
  /** Tells the other replicas what this one's breaker did (from `ModelHealth`'s `onSignal`). */
  announce(signal: HealthSignal): void;
  /** Tells the other replicas of a `Retry-After` cooldown (from `Cooldowns`' `onCool`). */
  announceCooldown(model: string, ms: number): void;
  /** Stops listening and waits for events still being written. */
  close(): Promise<void>;
}

/** Starts keeping this replica in step with the others. */
export function startReplicaSync(options: ReplicaSyncOptions): ReplicaSync {
  const { logger } = options;
  const replica =
    options.replica ?? `${os.hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const shared = createSharedHealth({
    store: options.storage.healthEvents,
    changes: options.storage.changes,
    health: options.modelHealth,
    cooldowns: options.cooldowns,
    replica,
    logger,
  });
  void shared.start();

  const changed: Record<Exclude<ChangeTopic, 'health'>, () => void> = {
    users() {
      options.access
        .usersChanged()
        .catch((error: unknown) => logger.warn({ err: error }, 'users could not be re-read'));
    },
    keys() {
      options.keys.invalidate();
      // Keys added elsewhere join the log scrubber's list before they are ever used here.
      options.vault
        .knownSecrets()
        .catch((error: unknown) => logger.warn({ err: error }, 'vault keys could not be re-read'));
    },
    settings() {
      options.selection.preferencesChanged();
      // The admin token's hash is a setting too.
      options.access
        .settingsChanged()
        .catch((error: unknown) => logger.warn({ err: error }, 'admin token could not be re-read'));
      // The versions generation is a setting too.
      options.versions.changedElsewhere();
    },
    versions() {
      options.versions.changedElsewhere();
    },
  };
  const unsubscribe = options.storage.changes.subscribe(
    ['users', 'keys', 'settings', 'versions'],
    (topic) => {
      if (topic !== 'health') changed[topic]();
    },
  );

  return {
    replica,
    announce: shared.announce,
    announceCooldown: shared.announceCooldown,
    async close() {
      unsubscribe();
      await shared.close();
    },
  };
}
