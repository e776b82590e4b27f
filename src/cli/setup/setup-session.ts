/**
 * One run of setup, all or nothing: the new config is built and validated in memory,
 * a gateway runs on it (so keys are checked and stored by the real key vault, and the
 * free-model catalog can be read), and only `commit()` writes config.yaml. `abandon()`
 * removes the keys this run stored and leaves the file as it was.
 */

import fs from 'node:fs';
import type { HomePaths } from '../../config/home.js';
import { parseConfig } from '../../config/load-config.js';
import { writeFileAtomically } from '../../config/write-file-atomically.js';
import { createGateway, type Gateway } from '../../gateway.js';
import type { CheckedKey } from '../../secrets/key-admission.js';
import { type AuditActor, redactDatabaseUrl } from '../../storage/index.js';
import { createLogger } from '../../telemetry/logger.js';
import {
  mergeConfigText,
  providerEntries,
  type SetupChoices,
  type SetupProviderEntry,
} from './setup-config.js';

/** Options of {@link startSetupSession}. */
export interface SetupSessionOptions {
  /** The config file to write. */
  file: string;
  /** Where the database and the vault live. */
  paths: HomePaths;
  /** What the user chose. */
  choices: SetupChoices;
  /** Environment for `${VAR}` in the config and the vault's master key. */
  env?: NodeJS.ProcessEnv;
  /** Who runs setup: `commit()` records the write in the audit log as theirs. */
  by?: AuditActor & { reason?: string };
}

/** A setup run in progress. */
export interface SetupSession {
  /** The config text that `commit()` writes. */
  readonly text: string;
  /** The providers this run writes. */
  readonly entries: readonly SetupProviderEntry[];
  /** True when the file exists already (its other settings are kept). */
  readonly existed: boolean;
  /** A gateway running on the new config (not yet written). */
  readonly gateway: Gateway;
  /**
   * Checks a key with its provider and stores it encrypted for everyone's use; throws a
   * `GatewayError` (422) saying what the provider said when it refused the key.
   */
  addKey(
    providerId: string,
    secret: string,
    options?: { skipValidation?: boolean },
  ): Promise<CheckedKey>;
  /** Writes config.yaml atomically and ends the run; returns the backup's path, if any. */
  commit(): Promise<{ backup?: string }>;
  /** Ends the run without writing, removing the keys it stored. */
  abandon(): Promise<void>;
}

/** Starts a setup run. Throws when the merged config would not be valid. */
export async function startSetupSession(options: SetupSessionOptions): Promise<SetupSession> {
  const env = options.env ?? process.env;
  const existed = fs.existsSync(options.file);
  const existing = existed ? fs.readFileSync(options.file, 'utf8') : undefined;
  const entries = providerEntries(options.choices);
  const text = mergeConfigText(existing, entries);
  const config = parseConfig(text, options.file, env);
  const gateway = await createGateway({
    config,
    paths: options.paths,
    env,
    logger: createLogger({ level: 'error' }),
  });
  const added: string[] = [];
  let ended = false;

  return {
    text,
    entries,
    existed,
    gateway,
    async addKey(providerId, secret, keyOptions = {}) {
      const checked = await gateway.keys.add({
        owner: 'operator',
        providerId,
        secret,
        label: 'added by tta-models setup',
        ...(keyOptions.skipValidation ? { skipValidation: true } : {}),
      });
      added.push(checked.key.id);
      return checked;
    },
    async commit() {
      if (ended) throw new Error('this setup run has ended');
      ended = true;
      try {
        const backup = writeFileAtomically(options.file, text);
        // The file is written: a failed audit write is logged, never reported as a failed setup.
        if (options.by) {
          await gateway.storage.audit
            .add({
              actor: options.by.actor,
              channel: options.by.channel,
              action: 'setup.write',
              subject: `config:${options.file}`,
              reason: options.by.reason ?? '',
              // Base URLs without any password in them; keys by id only.
              detail: {
                providers: entries.map((entry) => ({
                  ...entry,
                  ...(entry.baseUrl ? { baseUrl: redactDatabaseUrl(entry.baseUrl) } : {}),
                })),
                keys: added,
                backup: backup ?? null,
              },
            })
            .catch((error: unknown) =>
              gateway.logger.error({ err: error }, 'setup was written but not audited'),
            );
        }
        return backup === undefined ? {} : { backup };
      } finally {
        await gateway.close();
      }
    },
    async abandon() {
      if (ended) return;
      ended = true;
      try {
        for (const id of added) await gateway.keys.remove(id).catch(() => {});
      } finally {
        await gateway.close();
      }
    },
  };
}
