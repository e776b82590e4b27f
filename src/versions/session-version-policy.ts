/**
 * Session compatibility: a session keeps the model version it started with while that
 * version is served, even after the route is promoted to another model; when the version
 * is gone it moves to the nearest compatible version (the same model's new version if it
 * lost no capability, else the chain's model closest to it) and says so.
 */
import type {
  SessionModelVersion,
  SessionVersionMove,
  SessionVersionPolicy,
  VersionFacts,
} from '../spec/model-version.js';
import { capabilityLosses, describeChanges, summarizeChanges } from './change-summary.js';

/** One version as the policy needs it. */
export interface KnownVersion {
  /** `ver_…`. */
  id: string;
  /** Public model name. */
  model: string;
  /** Identity and card facts. */
  facts: VersionFacts;
}

/** Where the policy looks versions up (in memory: it runs on every session turn). */
export interface VersionLookup {
  /** The version `model` serves now, if known. */
  current(model: string): KnownVersion | undefined;
  /** Any version ever seen, by id. */
  byId(id: string): KnownVersion | undefined;
}

/** The session policy over a version lookup. */
export function createSessionVersionPolicy(lookup: VersionLookup): SessionVersionPolicy {
  return {
    currentVersion: (model) => lookup.current(model)?.id,

    arrange<Member extends { name: string }>(
      started: SessionModelVersion | undefined,
      members: Member[],
      now: number,
    ): { members: Member[]; move?: SessionVersionMove } {
      if (started === undefined || members.length === 0) return { members };
      const own = members.find((member) => member.name === started.model);
      const serving = lookup.current(started.model);
      const startedVersion = lookup.byId(started.versionId);
      // Served still, or nothing known of it at all (so nothing is known to have changed).
      const kept =
        serving?.id === started.versionId ||
        (serving === undefined && startedVersion === undefined);
      if (own && kept) return { members: lead(members, own) };

      const startedFacts = startedVersion?.facts;
      const to = (member: Member): SessionModelVersion => ({
        model: member.name,
        versionId: lookup.current(member.name)?.id ?? 'unknown',
        since: now,
      });
      if (
        own &&
        serving &&
        startedFacts &&
        capabilityLosses(startedFacts, serving.facts).length === 0
      ) {
        return {
          members: lead(members, own),
          move: {
            from: started,
            to: to(own),
            cause: 'version_replaced',
            summary: summarizeChanges(describeChanges(startedFacts, serving.facts)),
          },
        };
      }
      const nearest =
        startedFacts === undefined
          ? undefined
          : nearestCompatible(startedFacts, started.model, members, lookup);
      const cause: SessionVersionMove['cause'] = !own
        ? 'route_changed'
        : nearest
          ? 'version_gone'
          : 'no_compatible_version';
      const chosen = nearest ?? (members[0] as Member);
      const why = own
        ? serving && startedFacts
          ? `${started.model} now serves an incompatible version (${capabilityLosses(startedFacts, serving.facts).join(', ')})`
          : `${started.model} no longer serves the session's version`
        : `${started.model} is no longer in the chain`;
      return {
        members: lead(members, chosen),
        move: {
          from: started,
          to: to(chosen),
          cause,
          summary: nearest
            ? `${why}; moved to ${chosen.name}, the nearest compatible model`
            : `${why}; nothing compatible is served, so the chain's first model took over`,
        },
      };
    },
  };
}

/**
 * The chain member closest to `from` that lost none of its capabilities: the same model
 * first, then the same family, then the one with the most similar context; chain order breaks ties.
 */
export function nearestCompatible<Member extends { name: string }>(
  from: VersionFacts,
  fromModel: string,
  members: readonly Member[],
  lookup: Pick<VersionLookup, 'current'>,
): Member | undefined {
  let best: { member: Member; score: number } | undefined;
  members.forEach((member, index) => {
    const version = lookup.current(member.name);
    if (version === undefined) return;
    if (capabilityLosses(from, version.facts).length > 0) return;
    let score = -index * 0.001;
    if (member.name === fromModel) score += 100;
    if (from.family !== undefined && from.family === version.facts.family) score += 10;
    if (from.contextLength !== undefined && version.facts.contextLength !== undefined)
      score -= Math.abs(Math.log2(version.facts.contextLength / from.contextLength));
    if (best === undefined || score > best.score) best = { member, score };
  });
  return best?.member;
}

function lead<Member>(members: Member[], first: Member): Member[] {
  return members[0] === first ? members : [first, ...members.filter((member) => member !== first)];
}
