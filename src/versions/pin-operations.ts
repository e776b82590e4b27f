/**
 * Pins of routes and aliases: pin, promote (optionally gated by a benchmark), one-step
 * rollback, unpin. Each change is checked against config.yaml and what is served, then
 * written atomically with its audit entry (who, when, why); a change that raced another
 * is refused rather than lost.
 */
import { InvalidRequestError, ModelNotFoundError, type Provider } from '../spec/index.js';
import {
  type AuditEntry,
  type ModelVersionRecord,
  type ModelVersionStore,
  type NewVersionPin,
  PinChangedError,
  type VersionPinRecord,
} from '../storage/index.js';
import { type BenchmarkEvidence, checkBenchmark } from './benchmark-gate.js';
import type { VersionActor } from './resolve-conflicts.js';
import { versionError } from './version-errors.js';
import { type PinView, providerOf, type VersionRegistry } from './version-registry.js';
import type { VersionsConfig } from './versions-config.js';

/** What a pin change did. */
export interface PinChange {
  /** False when the subject already pinned that version (nothing was written). */
  changed: boolean;
  /** The pin in force now (undefined after unpin). */
  pin: PinView | undefined;
  /** The pin it replaced. */
  previous: PinView | undefined;
  /** The audit entry written. */
  audit?: AuditEntry;
}

/** What pin operations read and write. */
export interface PinOperationsOptions {
  store: Pick<ModelVersionStore, 'changePin' | 'pin'>;
  registry: VersionRegistry;
  providers: ReadonlyMap<string, Provider>;
  routes: () => Readonly<Record<string, { models: readonly string[] }>>;
  versionsConfig: VersionsConfig;
  benchmarks?: BenchmarkEvidence;
  now: () => number;
}

const subjectPattern = /^(route|alias):[a-z0-9][a-z0-9_-]*$/;

/** Every change says why. */
export function requireReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed.length < 3) {
    throw new InvalidRequestError(
      'Say why (--reason "…", API: "reason"): every version change is recorded in the audit log with who, when and why.',
      'reason',
    );
  }
  return trimmed;
}

/** Creates the pin operations. */
export function createPinOperations(options: PinOperationsOptions) {
  const { store, registry } = options;

  /** The subject's pin in force, read fresh. */
  async function activePin(subject: string): Promise<VersionPinRecord | undefined> {
    await registry.reload();
    return registry.pin(subject);
  }

  function checkSubject(subject: string, model: string): void {
    if (!subjectPattern.test(subject)) {
      throw new InvalidRequestError(
        `"${subject}" is not a pin subject: name a route as route:<name> (a route of config.yaml) or an alias as alias:<name> (lower-case letters, digits, "-" or "_").`,
        'subject',
      );
    }
    if (!options.providers.has(providerOf(model)) || !model.includes('/')) {
      const known = [...options.providers.keys()].join(', ') || 'none';
      throw new ModelNotFoundError(
        `There is no model "${model}": name it <provider>/<model> with a provider of config.yaml (${known}); \`tta-models models\` lists the models.`,
      );
    }
    if (!subject.startsWith('route:')) return;
    const routeName = subject.slice('route:'.length);
    const routes = options.routes();
    const route = routes[routeName];
    if (route === undefined) {
      const known = Object.keys(routes).join(', ') || 'none';
      throw versionError(
        `config.yaml has no route "${routeName}" (routes: ${known}); add it there first.`,
        404,
        'route_not_found',
        'subject',
      );
    }
    if (!route.models.includes(model)) {
      throw versionError(
        `routes.${routeName} in config.yaml lists ${route.models.join(', ')}, not ${model}. Pin one of those, add ${model} to routes.${routeName}.models (and restart), or move the route with \`tta-models versions migrate <model> --to ${model} --reason "…"\`.`,
        409,
        'model_not_in_route',
        'model',
      );
    }
  }

  /** The served version of `model` that `spec` names (default: the one served now). */
  function servedVersion(model: string, spec: string | undefined): ModelVersionRecord {
    const versions = registry.versionsOf(model);
    const served = registry.current(model);
    if (versions.length === 0) {
      throw versionError(
        `No version of ${model} is known yet. \`tta-models models sync\` records the versions of catalog models; a custom provider's version is known after its first answer.`,
        404,
        'version_not_found',
        'version',
      );
    }
    let chosen: ModelVersionRecord | undefined = served;
    if (spec !== undefined && spec !== 'current') {
      const matches = versions.filter(
        (version) =>
          version.id.startsWith(spec) || version.key.includes(spec) || version.label.includes(spec),
      );
      const exact = matches.find((version) => version.id === spec);
      if (!exact && matches.length !== 1) {
        throw versionError(
          `${matches.length === 0 ? 'No' : 'More than one'} version of ${model} matches "${spec}"; \`tta-models versions show ${model}\` lists them (${versions.map((version) => version.id).join(', ')}).`,
          404,
          'version_not_found',
          'version',
        );
      }
      chosen = exact ?? matches[0];
    }
    if (chosen === undefined || !chosen.current) {
      const state = served
        ? `it serves ${served.label} (${served.id}) now`
        : "it is gone from its provider's listing; `tta-models versions deprecations` suggests where to move";
      throw versionError(
        `${chosen ? `Version ${chosen.label} (${chosen.id})` : 'No version'} of ${model} is not served any more: ${state}. Pin a served version or another model.`,
        409,
        'version_not_served',
        'version',
      );
    }
    return chosen;
  }

  function pinDetail(pin: { model: string; versionId: string } | null | undefined) {
    return pin
      ? {
          model: pin.model,
          versionId: pin.versionId,
          label: registry.byId(pin.versionId)?.label ?? null,
        }
      : null;
  }

  /** Puts `next` in force for `subject` in place of `active`, with its audit entry. */
  async function changePin(
    subject: string,
    active: VersionPinRecord | undefined,
    next: NewVersionPin | null,
    audit: { by: VersionActor; action: string; reason: string; detail?: Record<string, unknown> },
  ): Promise<PinChange> {
    let written: Awaited<ReturnType<typeof store.changePin>>;
    try {
      written = await store.changePin({
        subject,
        expectedActiveId: active?.id ?? null,
        next,
        audit: [
          {
            actor: audit.by.actor,
            channel: audit.by.channel,
            action: audit.action,
            subject,
            reason: audit.reason,
            detail: { from: pinDetail(active), to: pinDetail(next), ...audit.detail },
          },
        ],
      });
    } catch (error) {
      if (error instanceof PinChangedError) throw versionError(error.message, 409, 'pin_changed');
      throw error;
    }
    await registry.reload();
    const [entry] = written.audit;
    return {
      changed: true,
      pin: written.pin && registry.view(written.pin),
      previous: active && registry.view(active),
      ...(entry ? { audit: entry } : {}),
    };
  }

  return {
    changePin,

    /** Points a route or alias at a served version of a model (default: the one served now). */
    async pin(request: {
      subject: string;
      model: string;
      version?: string;
      reason: string;
      by: VersionActor;
    }): Promise<PinChange> {
      const reason = requireReason(request.reason);
      checkSubject(request.subject, request.model);
      const active = await activePin(request.subject);
      const target = servedVersion(request.model, request.version);
      if (active && active.model === request.model && active.versionId === target.id)
        return { changed: false, pin: registry.view(active), previous: undefined };
      return changePin(
        request.subject,
        active,
        {
          model: request.model,
          versionId: target.id,
          action: 'pin',
          actor: request.by.actor,
          reason,
          previousPinId: active?.id ?? null,
        },
        { by: request.by, action: 'versions.pin', reason },
      );
    },

    /**
     * Moves a pin forward: to the version its model serves now, or to another model of
     * the route (`to`). Needs a recent benchmark when `versions.requireBenchmark` is on.
     */
    async promote(request: {
      subject: string;
      to?: string;
      version?: string;
      reason: string;
      by: VersionActor;
      skipBenchmark?: boolean;
    }): Promise<PinChange> {
      const reason = requireReason(request.reason);
      const active = await activePin(request.subject);
      const model = request.to ?? active?.model;
      if (model === undefined) {
        throw versionError(
          `${request.subject} is not pinned, so there is nothing to promote; pin it first (\`tta-models versions pin ${request.subject} <model> --reason "…"\`) or name the model to promote to (--to).`,
          409,
          'not_pinned',
          'subject',
        );
      }
      checkSubject(request.subject, model);
      const target = servedVersion(model, request.version);
      if (active && active.model === model && active.versionId === target.id) {
        throw versionError(
          `${request.subject} already pins ${model} ${target.label}, the version served now; there is nothing newer to promote to.`,
          409,
          'already_promoted',
        );
      }
      const benchmark = await checkBenchmark(model, target.id, {
        required: options.versionsConfig.requireBenchmark,
        maxAgeDays: options.versionsConfig.benchmarkMaxAgeDays,
        evidence: options.benchmarks,
        now: options.now(),
        versionSince: target.firstSeenAt,
        skip: request.skipBenchmark === true,
      });
      return changePin(
        request.subject,
        active,
        {
          model,
          versionId: target.id,
          action: 'promote',
          actor: request.by.actor,
          reason,
          previousPinId: active?.id ?? null,
        },
        {
          by: request.by,
          action: 'versions.promote',
          reason,
          detail: {
            benchmark: benchmark.outcome,
            ...(benchmark.result ? { benchmarkResult: benchmark.result } : {}),
          },
        },
      );
    },

    /** Returns a subject to the pin before its current one, in one step. */
    async rollback(request: {
      subject: string;
      reason: string;
      by: VersionActor;
    }): Promise<PinChange> {
      const reason = requireReason(request.reason);
      const active = await activePin(request.subject);
      if (!active) {
        throw versionError(
          `${request.subject} is not pinned; there is nothing to roll back. \`tta-models versions pins\` lists the pins.`,
          404,
          'pin_not_found',
          'subject',
        );
      }
      const previous = active.previousPinId ? await store.pin(active.previousPinId) : undefined;
      if (!previous) {
        throw versionError(
          `${request.subject} has no earlier pin to return to (its first pin is the one in force). Pin another version instead: \`tta-models versions pin ${request.subject} <model> --version <version> --reason "…"\`.`,
          409,
          'nothing_to_roll_back',
          'subject',
        );
      }
      checkSubject(request.subject, previous.model);
      const served = registry.current(previous.model);
      if (served?.id !== previous.versionId) {
        throw versionError(
          `The earlier pin of ${request.subject} is ${previous.model} ${registry.byId(previous.versionId)?.label ?? previous.versionId}, which is not served any more (${served ? `${previous.model} serves ${served.label} now` : `${previous.model} is gone`}). Pin a served version instead: \`tta-models versions pin ${request.subject} <model> --reason "…"\`.`,
          409,
          'version_not_served',
        );
      }
      return changePin(
        request.subject,
        active,
        {
          model: previous.model,
          versionId: previous.versionId,
          action: 'rollback',
          actor: request.by.actor,
          reason,
          // Rolling back pops the stack: a second rollback goes one further back.
          previousPinId: previous.previousPinId,
        },
        {
          by: request.by,
          action: 'versions.rollback',
          reason,
          detail: { restoredPin: previous.id },
        },
      );
    },

    /** Removes a subject's pin: a route serves its config order again, an alias stops resolving. */
    async unpin(request: {
      subject: string;
      reason: string;
      by: VersionActor;
    }): Promise<PinChange> {
      const reason = requireReason(request.reason);
      const active = await activePin(request.subject);
      if (!active) {
        throw versionError(
          `${request.subject} is not pinned. \`tta-models versions pins\` lists the pins.`,
          404,
          'pin_not_found',
          'subject',
        );
      }
      return changePin(request.subject, active, null, {
        by: request.by,
        action: 'versions.unpin',
        reason,
      });
    },
  };
}

/** Pin operations. */
export type PinOperations = ReturnType<typeof createPinOperations>;
