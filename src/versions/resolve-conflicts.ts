/**
 * Conflict resolution: the safe resolutions (a pin moved to a served version that lost no
 * capability) are applied with an audit entry by `system`, a log line, an incident and a
 * notice; the others are announced once, as a notice and an incident with the steps.
 */
import type { CatalogItem } from '../catalog/filter-catalog.js';
import type { AuditChannel, Incidents, ModelVersionStore } from '../storage/index.js';
import { PinChangedError } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import { suggestMigrationTarget } from './migration-target.js';
import type { NoticeOutlet } from './notice-outlet.js';
import { findConflicts, type VersionConflict } from './version-conflicts.js';
import { providerOf, type VersionRegistry } from './version-registry.js';

/** Who makes a change, and through what. */
export interface VersionActor {
  /** `admin`, a user token's name, or `system`. */
  actor: string;
  channel: AuditChannel;
}

/** The gateway itself, for automatic resolutions. */
export const systemActor: VersionActor = { actor: 'system', channel: 'system' };

/** Conflicts found, and what was resolved. */
export interface ConflictReport {
  /** Resolved now (only when asked to resolve). */
  resolved: VersionConflict[];
  /** Left for an administrator, with steps; or resolvable automatically when not asked to. */
  unresolved: Array<VersionConflict & { autoResolvable: boolean }>;
}

/** What resolution reads and writes. */
export interface ConflictResolverOptions {
  store: Pick<ModelVersionStore, 'apply' | 'changePin'>;
  registry: VersionRegistry;
  routes: () => Readonly<Record<string, { models: readonly string[] }>>;
  catalogItems: () => Promise<CatalogItem[]>;
  incidents: Pick<Incidents, 'add'>;
  logger: Pick<Logger, 'warn'>;
  outlet: NoticeOutlet;
  now: () => number;
  horizonDays: number;
}

/** Creates conflict detection and resolution. */
export function createConflictResolver(options: ConflictResolverOptions) {
  const { store, registry, outlet } = options;

  function detect(items: readonly CatalogItem[]): VersionConflict[] {
    return findConflicts({
      pins: registry.pins(),
      routes: options.routes(),
      current: registry.current,
      byId: registry.byId,
      suggest: (model) =>
        suggestMigrationTarget(
          {
            name: model,
            providerId: providerOf(model),
            facts: registry.latestOf(model)?.facts ?? {},
          },
          items,
          { now: options.now(), horizonDays: options.horizonDays },
        )?.model,
    });
  }

  /** Announces a conflict that needs an administrator, once per situation. */
  async function report(conflict: VersionConflict): Promise<void> {
    const pinned = conflict.subjects
      .map((subject) => registry.pin(subject)?.versionId ?? '')
      .join(',');
    const served = registry.current(conflict.model)?.id ?? null;
    const added = await store.apply({
      versions: [],
      notices: [
        {
          ...outlet.base(conflict.model),
          kind: 'conflict',
          severity: 'breaking',
          versionId: served,
          previousVersionId: null,
          summary: `${conflict.message} To resolve: ${conflict.steps.join(' ')}`,
          changes: [],
          dedupeKey: `conflict:${conflict.kind}:${conflict.subjects.join(',')}:${pinned}:${served ?? 'none'}`,
        },
      ],
    });
    if (added.length === 0) return;
    outlet.announce(added);
    await options.incidents.add({
      model: conflict.model,
      kind: 'version_conflict',
      cause: conflict.message,
      action: `left for an administrator: ${conflict.steps[0] ?? 'see tta-models versions conflicts'}`,
      requestId: null,
      sessionId: null,
    });
  }

  /** Applies a safe resolution; true when at least one pin moved. */
  async function apply(conflict: VersionConflict, by: VersionActor): Promise<boolean> {
    const resolution = conflict.resolution;
    if (resolution === undefined) return false;
    let moved = 0;
    for (const advance of resolution.advances) {
      const from = registry.byId(advance.fromVersionId);
      const to = registry.byId(advance.toVersionId);
      try {
        const { notices } = await store.changePin({
          subject: advance.subject,
          expectedActiveId: advance.pinId,
          next: {
            model: advance.model,
            versionId: advance.toVersionId,
            action: 'auto',
            actor: by.actor,
            reason: resolution.summary,
            previousPinId: advance.pinId,
          },
          audit: [
            {
              actor: by.actor,
              channel: by.channel,
              action: 'versions.auto_resolve',
              subject: advance.subject,
              reason: resolution.summary,
              detail: {
                conflict: conflict.kind,
                model: advance.model,
                from: { versionId: advance.fromVersionId, label: from?.label ?? null },
                to: { versionId: advance.toVersionId, label: to?.label ?? null },
              },
            },
          ],
          notices: [
            {
              ...outlet.base(advance.model),
              kind: 'conflict_resolved',
              severity: 'info',
              versionId: advance.toVersionId,
              previousVersionId: advance.fromVersionId,
              summary: `${advance.subject}: ${resolution.summary}`,
              changes: [],
              dedupeKey: `resolved:${advance.subject}:${advance.pinId}:${advance.toVersionId}`,
            },
          ],
        });
        outlet.announce(notices);
        moved += 1;
      } catch (error) {
        // Someone changed the pin meanwhile: their choice stands.
        if (!(error instanceof PinChangedError)) throw error;
      }
    }
    if (moved === 0) return false;
    options.logger.warn(
      { model: conflict.model, subjects: conflict.subjects, conflict: conflict.kind },
      `version conflict resolved automatically: ${resolution.summary}`,
    );
    await options.incidents.add({
      model: conflict.model,
      kind: 'version_conflict_resolved',
      cause: conflict.message,
      action: resolution.summary,
      requestId: null,
      sessionId: null,
    });
    return true;
  }

  return {
    /** The conflicts now, without changing anything. */
    async list(): Promise<ConflictReport> {
      await registry.reload();
      const conflicts = detect(await options.catalogItems());
      return {
        resolved: [],
        unresolved: conflicts.map((conflict) => ({
          ...conflict,
          autoResolvable: conflict.resolution !== undefined,
        })),
      };
    },

    /** Applies every safe resolution and announces the rest. */
    async resolve(by: VersionActor = systemActor): Promise<ConflictReport> {
      await registry.reload();
      const conflicts = detect(await options.catalogItems());
      const result: ConflictReport = { resolved: [], unresolved: [] };
      for (const conflict of conflicts) {
        if (conflict.resolution === undefined) {
          await report(conflict);
          result.unresolved.push({ ...conflict, autoResolvable: false });
        } else if (await apply(conflict, by)) {
          result.resolved.push(conflict);
        }
      }
      if (result.resolved.length > 0) await registry.reload();
      return result;
    },
  };
}

/** Conflict detection and resolution. */
export type ConflictResolver = ReturnType<typeof createConflictResolver>;
