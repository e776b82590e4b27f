/**
 * Moves everything that uses one model to another in one step: the routes of config.yaml
 * (rewritten atomically, comments kept, the old file as `.bak`) and the pins (with audit
 * entries). If the pins cannot be moved the file is put back; the running gateway's routes
 * follow at once.
 */
import fs from 'node:fs';
import type { CatalogItem } from '../catalog/filter-catalog.js';
import { ConfigError } from '../config/config-error.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { parseConfig } from '../config/load-config.js';
import { writeFileAtomically } from '../config/write-file-atomically.js';
import { InvalidRequestError, ModelNotFoundError, type Provider } from '../spec/index.js';
import type { AuditLog } from '../storage/index.js';
import { type PinOperations, requireReason } from './pin-operations.js';
import type { VersionActor } from './resolve-conflicts.js';
import { rewriteRoutesText } from './rewrite-config-routes.js';
import { versionError } from './version-errors.js';
import { providerOf, type VersionRegistry } from './version-registry.js';

/** What a migration did (or, with `dryRun`, would do). */
export interface MigrationResult {
  from: string;
  to: string;
  /** Routes of config.yaml rewritten. */
  routes: string[];
  /** Routes that listed both: the old model was dropped. */
  deduplicated: string[];
  /** Pins moved to the new model (or removed when no version of it is known yet). */
  pins: Array<{ subject: string; action: 'moved' | 'removed' }>;
  /** The old config, kept beside it. */
  backup?: string;
  /** The config file. */
  configFile: string;
  dryRun: boolean;
  /** What a running gateway should do now. */
  notes: string[];
}

/** What a migration reads and writes. */
export interface RouteMigrationOptions {
  registry: VersionRegistry;
  pins: Pick<PinOperations, 'changePin'>;
  auditLog: Pick<AuditLog, 'add'>;
  providers: ReadonlyMap<string, Provider>;
  catalogItems: () => Promise<CatalogItem[]>;
  /** The live configuration: its routes are updated in place. */
  config: Pick<GatewayConfig, 'routes'>;
  /** The config file; undefined when the gateway was started without one. */
  configFile: string | undefined;
  /** Environment for `${VARS}` when the rewritten config is checked. */
  env: NodeJS.ProcessEnv;
}

/** Creates the migration. */
export function createRouteMigration(options: RouteMigrationOptions) {
  const { registry } = options;

  /** The model `to` must exist: a configured provider, and in its listing when it has one. */
  async function checkTarget(to: string): Promise<void> {
    if (!options.providers.has(providerOf(to)) || !to.includes('/')) {
      throw new ModelNotFoundError(
        `There is no provider for "${to}"; name the target <provider>/<model> with a provider of config.yaml (${[...options.providers.keys()].join(', ') || 'none'}).`,
      );
    }
    const items = await options.catalogItems();
    const providerListed = items.some((item) => item.providerId === providerOf(to));
    if (providerListed && !items.some((item) => item.name === to)) {
      throw new ModelNotFoundError(
        `${providerOf(to)} does not list "${to}"; \`tta-models models --search <words>\` finds the right name.`,
      );
    }
  }

  function readConfigText(file: string): string {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw versionError(
        `The config file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}).`,
        409,
        'config_file_unreadable',
      );
    }
  }

  return async function migrate(request: {
    from: string;
    to: string;
    reason: string;
    by: VersionActor;
    dryRun?: boolean;
  }): Promise<MigrationResult> {
    const reason = requireReason(request.reason);
    const { from, to } = request;
    const file = options.configFile;
    if (file === undefined) {
      throw versionError(
        'This gateway was started without a config file, so it cannot rewrite routes; edit routes in your config and restart it.',
        409,
        'config_file_unknown',
      );
    }
    if (from === to)
      throw new InvalidRequestError(`Migrating ${from} to itself changes nothing.`, 'to');
    await checkTarget(to);
    await registry.reload();
    const original = readConfigText(file);
    const rewrite = rewriteRoutesText(original, from, to);
    const pins = registry.pins().filter((pin) => pin.model === from);
    if (rewrite.routes.length === 0 && pins.length === 0) {
      throw versionError(
        `Nothing uses ${from}: no route of ${file} lists it and no pin points at it.`,
        404,
        'nothing_to_migrate',
        'from',
      );
    }
    let migrated: GatewayConfig | undefined;
    if (rewrite.routes.length > 0) {
      try {
        migrated = parseConfig(rewrite.text, file, options.env);
      } catch (error) {
        const problems = error instanceof ConfigError ? error.message : String(error);
        throw new InvalidRequestError(
          `Moving the routes to ${to} would make the config invalid, so nothing was changed: ${problems}`,
          'to',
        );
      }
    }
    const target = registry.current(to);
    const result: MigrationResult = {
      from,
      to,
      routes: rewrite.routes,
      deduplicated: rewrite.deduplicated,
      pins: pins.map((pin) => ({ subject: pin.subject, action: target ? 'moved' : 'removed' })),
      configFile: file,
      dryRun: request.dryRun === true,
      notes: [],
    };
    if (request.dryRun) return result;

    const backup = rewrite.routes.length > 0 ? writeFileAtomically(file, rewrite.text) : undefined;
    if (backup) result.backup = backup;
    try {
      for (const pin of pins) {
        await options.pins.changePin(
          pin.subject,
          pin,
          target
            ? {
                model: to,
                versionId: target.id,
                action: 'migrate',
                actor: request.by.actor,
                reason,
                previousPinId: pin.id,
              }
            : null,
          { by: request.by, action: 'versions.migrate', reason, detail: { configFile: file } },
        );
      }
      await options.auditLog.add({
        actor: request.by.actor,
        channel: request.by.channel,
        action: 'versions.migrate',
        subject: from,
        reason,
        detail: {
          to,
          configFile: file,
          routes: rewrite.routes,
          deduplicated: rewrite.deduplicated,
          backup: backup ?? null,
          pins: result.pins,
        },
      });
    } catch (error) {
      if (backup) writeFileAtomically(file, original);
      const why = error instanceof Error ? error.message : String(error);
      throw versionError(
        `The pins could not be moved (${why}); ${file} was put back as it was. Pins moved before the failure stay moved and are in the audit log; run the migration again.`,
        409,
        'migration_failed',
      );
    }
    if (migrated) {
      for (const name of rewrite.routes) {
        const route = migrated.routes[name];
        if (route) options.config.routes[name] = route;
      }
    }
    if (!target && pins.length > 0) {
      result.notes.push(
        `No version of ${to} is known yet, so its pins were removed; pin it once it has answered or synced: \`tta-models versions pin <subject> ${to} --reason "…"\`.`,
      );
    }
    if (request.by.channel === 'cli' && rewrite.routes.length > 0) {
      result.notes.push(
        'A gateway that is running read the old routes at start: restart it to serve the new ones (the API migrates a running gateway at once).',
      );
    }
    await registry.reload();
    return result;
  };
}
