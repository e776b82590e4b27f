/**
 * Version conflicts: a pin to a version no longer served, pins of one model on different
 * versions (a provider serves one at a time), a pin to a model that is gone, and pins the
 * config file contradicts (a route that is no longer there, a model the route no longer
 * lists). Where one answer is safe — the served version lost no capability — it comes
 * with the resolution; otherwise with the steps to resolve it. Pure functions.
 */
import type { ModelVersionRecord, VersionPinRecord } from '../storage/index.js';
import { describeChanges, summarizeChanges } from './change-summary.js';

/** What kind of conflict. */
export type VersionConflictKind =
  | 'pin_version_gone'
  | 'pins_disagree'
  | 'pin_model_gone'
  | 'pin_route_missing'
  | 'pin_model_not_in_route';

/** A pin moved to the served version, as an automatic resolution does. */
export interface PinAdvance {
  subject: string;
  /** The pin in force now (the move is refused if it changed meanwhile). */
  pinId: string;
  model: string;
  fromVersionId: string;
  toVersionId: string;
}

/** One conflict. */
export interface VersionConflict {
  kind: VersionConflictKind;
  /** The model concerned. */
  model: string;
  /** The pins' subjects concerned. */
  subjects: string[];
  /** What is wrong, and what is served meanwhile. */
  message: string;
  /** How to resolve it by hand (empty when it resolves itself). */
  steps: string[];
  /** The safe resolution, when there is one. */
  resolution?: { advances: PinAdvance[]; summary: string };
}

/** What conflict detection reads. */
export interface ConflictInput {
  /** The pins in force. */
  pins: readonly VersionPinRecord[];
  /** The routes of config.yaml. */
  routes: Readonly<Record<string, { models: readonly string[] }>>;
  /** The version `model` serves now. */
  current: (model: string) => ModelVersionRecord | undefined;
  /** Any version by id. */
  byId: (id: string) => ModelVersionRecord | undefined;
  /** A suggested replacement for a model that is gone. */
  suggest?: (model: string) => string | undefined;
}

const routePrefix = 'route:';

/** Every conflict among the pins, the config and what is served. */
export function findConflicts(input: ConflictInput): VersionConflict[] {
  const conflicts: VersionConflict[] = [];
  const byModel = new Map<string, VersionPinRecord[]>();
  for (const pin of input.pins) {
    if (pin.subject.startsWith(routePrefix)) {
      const routeName = pin.subject.slice(routePrefix.length);
      const route = input.routes[routeName];
      if (route === undefined) {
        conflicts.push({
          kind: 'pin_route_missing',
          model: pin.model,
          subjects: [pin.subject],
          message: `${pin.subject} is pinned to ${pin.model} in the database, but config.yaml has no route "${routeName}"; the pin has no effect.`,
          steps: [
            `If the route was removed on purpose: \`tta-models versions unpin ${pin.subject} --reason "route removed from config.yaml"\`.`,
            `If not: add routes.${routeName} back to config.yaml and restart the gateway.`,
          ],
        });
        continue;
      }
      if (!route.models.includes(pin.model)) {
        const listed = route.models.join(', ');
        conflicts.push({
          kind: 'pin_model_not_in_route',
          model: pin.model,
          subjects: [pin.subject],
          message: `The database pins ${pin.subject} to ${pin.model}, but config.yaml's routes.${routeName}.models no longer lists it (${listed}); the route is served as config.yaml says until this is resolved.`,
          steps: [
            `To follow config.yaml: \`tta-models versions pin ${pin.subject} ${route.models[0]} --reason "follow config.yaml"\`.`,
            `To keep the pin: add ${pin.model} to routes.${routeName}.models in config.yaml and restart the gateway.`,
          ],
        });
        continue;
      }
    }
    const list = byModel.get(pin.model) ?? [];
    list.push(pin);
    byModel.set(pin.model, list);
  }

  for (const [model, pins] of byModel) {
    const served = input.current(model);
    if (served === undefined) {
      const suggestion = input.suggest?.(model);
      const target = suggestion ?? '<model>';
      conflicts.push({
        kind: 'pin_model_gone',
        model,
        subjects: pins.map((pin) => pin.subject),
        message: `${pins.map((pin) => pin.subject).join(', ')} ${pins.length === 1 ? 'is' : 'are'} pinned to ${model}, which its provider no longer serves; requests fall through to the next model of each chain.`,
        steps: [
          `Move everything that uses it: \`tta-models versions migrate ${model} --to ${target} --reason "${model} is gone"\`${suggestion ? ` (${suggestion} is the closest model in the catalog)` : ''}.`,
          '`tta-models versions deprecations` lists the suggested targets.',
        ],
      });
      continue;
    }
    const stale = pins.filter((pin) => pin.versionId !== served.id);
    if (stale.length === 0) continue;
    const disagree =
      stale.length < pins.length || new Set(stale.map((pin) => pin.versionId)).size > 1;
    const advances: PinAdvance[] = [];
    const blocked: Array<{ pin: VersionPinRecord; why: string }> = [];
    for (const pin of stale) {
      const pinned = input.byId(pin.versionId);
      const changes = pinned ? describeChanges(pinned.facts, served.facts) : [];
      const breaking = changes.filter((change) => change.breaking);
      if (pinned && breaking.length === 0) {
        advances.push({
          subject: pin.subject,
          pinId: pin.id,
          model,
          fromVersionId: pin.versionId,
          toVersionId: served.id,
        });
      } else {
        blocked.push({
          pin,
          why: pinned
            ? `not compatible: ${summarizeChanges(breaking)}`
            : 'the pinned version is not in the registry',
        });
      }
    }
    const kind: VersionConflictKind = disagree ? 'pins_disagree' : 'pin_version_gone';
    const servedText = `${model} serves ${served.label} now`;
    if (advances.length > 0) {
      const pinned = input.byId(advances[0]?.fromVersionId ?? '');
      const changes = pinned ? summarizeChanges(describeChanges(pinned.facts, served.facts)) : '';
      conflicts.push({
        kind,
        model,
        subjects: advances.map((advance) => advance.subject),
        message: `${advances.map((advance) => advance.subject).join(', ')} ${advances.length === 1 ? 'is' : 'are'} pinned to a version of ${model} that is no longer served; ${servedText}, and it is compatible (${changes}).`,
        steps: [],
        resolution: {
          advances,
          summary: `moved the pin of ${advances.map((advance) => advance.subject).join(', ')} to ${served.label}, the served version, which lost no capability (${changes})`,
        },
      });
    }
    if (blocked.length > 0) {
      const subjects = blocked.map((entry) => entry.pin.subject);
      const others = pins.filter((pin) => !subjects.includes(pin.subject));
      conflicts.push({
        kind,
        model,
        subjects,
        message: `${blocked.map((entry) => `${entry.pin.subject} is pinned to ${input.byId(entry.pin.versionId)?.label ?? entry.pin.versionId}`).join('; ')}; ${servedText}, ${blocked[0]?.why}.${others.length > 0 ? ` ${others.map((pin) => pin.subject).join(', ')} already pin the served version.` : ''} Requests are served by the version ${model} serves; the pin is not changed without you.`,
        steps: [
          `Review the change: \`tta-models versions show ${model}\`.`,
          ...subjects.map(
            (subject) =>
              `Accept it for ${subject}: \`tta-models versions promote ${subject} --reason "reviewed the new version"\`.`,
          ),
          ...subjects.map(
            (subject) =>
              `Or move ${subject} to another model of its route: \`tta-models versions pin ${subject} <model> --reason "…"\`.`,
          ),
        ],
      });
    }
  }
  return conflicts;
}
