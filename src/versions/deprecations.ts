/**
 * Deprecation: models with an expiration date, or gone from their provider's listing,
 * with their timeline ("retires in 12 days"), the routes and pins that depend on them,
 * and a suggested migration target. Pure functions.
 */
import type { CatalogItem } from '../catalog/filter-catalog.js';
import type { ModelVersionRecord } from '../storage/index.js';
import { itemFacts, type MigrationSuggestion, suggestMigrationTarget } from './migration-target.js';
import { isoDay } from './version-facts.js';

const dayMs = 86_400_000;

/** A model that retires or is gone, and what depends on it. */
export interface Deprecation {
  /** Public model name. */
  model: string;
  /** Configured provider id. */
  providerId: string;
  /** `expires`: the provider set a date. `gone`: no longer in its listing. */
  reason: 'expires' | 'gone';
  /** The expiration date (ISO 8601 day), for `expires`. */
  expiresAt?: string;
  /** When it left the listing, epoch milliseconds, for `gone`. */
  goneSince?: number;
  /** Days until the date (negative: since), rounded. */
  days: number;
  /** The timeline in words: `retires in 12 days (2025-06-01)`. */
  timeline: string;
  /** Routes, aliases and pins that depend on it. */
  dependents: string[];
  /** Where to move them, when the catalog has a fitting model. */
  suggestion?: MigrationSuggestion;
  /** The command that moves them, when there is a suggestion and dependents. */
  command?: string;
}

/** Whole days from `now` to an ISO date (midnight UTC), rounded to the nearest day. */
export function daysUntil(isoDate: string, now: number): number {
  return Math.round((Date.parse(isoDate) - now) / dayMs);
}

/** `retires in 12 days (2025-06-01)`, `retires tomorrow …`, `retires today …`, `retired 3 days ago …`. */
export function retirementTimeline(isoDate: string, now: number): string {
  const days = daysUntil(isoDate, now);
  const day = isoDay(Date.parse(isoDate));
  if (days > 1) return `retires in ${days} days (${day})`;
  if (days === 1) return `retires tomorrow (${day})`;
  if (days === 0) return `retires today (${day})`;
  if (days === -1) return `retired yesterday (${day})`;
  return `retired ${-days} days ago (${day})`;
}

/** `gone from openrouter's listing since 2025-05-02 (3 days)`. */
export function goneTimeline(providerId: string, since: number, now: number): string {
  const days = Math.max(0, Math.round((now - since) / dayMs));
  return `gone from ${providerId}'s listing since ${isoDay(since)} (${days === 1 ? '1 day' : `${days} days`})`;
}

/** Inputs of {@link listDeprecations}. */
export interface DeprecationInput {
  /** The catalog now. */
  catalog: readonly CatalogItem[];
  /** Every version ever seen. */
  versions: readonly ModelVersionRecord[];
  /** What depends on a model. */
  dependents: (model: string) => string[];
  /** Today, epoch milliseconds. */
  now: number;
  /** Benchmark quality of a model, when known. */
  quality?: (model: string) => number | undefined;
  /** Targets retiring within this many days are not suggested. */
  horizonDays?: number;
  /** Gone models without dependents are listed for this many days after they left (default 30). */
  goneListedDays?: number;
}

/** Every deprecated model, those with dependents first, then soonest first. */
export function listDeprecations(input: DeprecationInput): Deprecation[] {
  const { catalog, now } = input;
  const listed = new Set(catalog.map((item) => item.name));
  const retiring = new Set<string>();
  const found: Deprecation[] = [];

  for (const item of catalog) {
    if (item.expiresAt === undefined || Number.isNaN(Date.parse(item.expiresAt))) continue;
    retiring.add(item.name);
    found.push({
      model: item.name,
      providerId: item.providerId,
      reason: 'expires',
      expiresAt: item.expiresAt,
      days: daysUntil(item.expiresAt, now),
      timeline: retirementTimeline(item.expiresAt, now),
      dependents: input.dependents(item.name),
    });
  }

  const latest = new Map<string, ModelVersionRecord>();
  const served = new Set<string>();
  for (const version of input.versions) {
    if (version.current) served.add(version.model);
    const known = latest.get(version.model);
    if (!known || version.lastSeenAt >= known.lastSeenAt) latest.set(version.model, version);
  }
  const goneListedMs = (input.goneListedDays ?? 30) * dayMs;
  for (const [model, version] of latest) {
    if (served.has(model) || listed.has(model)) continue;
    const since = version.retiredAt ?? version.lastSeenAt;
    const dependents = input.dependents(model);
    if (dependents.length === 0 && now - since > goneListedMs) continue;
    retiring.add(model);
    found.push({
      model,
      providerId: version.providerId,
      reason: 'gone',
      goneSince: since,
      days: -Math.round((now - since) / dayMs),
      timeline: goneTimeline(version.providerId, since, now),
      dependents,
    });
  }

  for (const deprecation of found) {
    const item = catalog.find((candidate) => candidate.name === deprecation.model);
    const facts = item ? itemFacts(item) : (latest.get(deprecation.model)?.facts ?? {});
    const suggestion = suggestMigrationTarget(
      {
        name: deprecation.model,
        providerId: deprecation.providerId,
        facts,
        ...(item?.isFree === undefined ? {} : { isFree: item.isFree }),
      },
      catalog,
      {
        now,
        exclude: retiring,
        ...(input.quality ? { quality: input.quality } : {}),
        ...(input.horizonDays === undefined ? {} : { horizonDays: input.horizonDays }),
      },
    );
    if (suggestion) {
      deprecation.suggestion = suggestion;
      if (deprecation.dependents.length > 0)
        deprecation.command = `tta-models versions migrate ${deprecation.model} --to ${suggestion.model} --reason "${deprecation.timeline}"`;
    }
  }
  return found.sort(
    (left, right) =>
      Number(right.dependents.length > 0) - Number(left.dependents.length > 0) ||
      left.days - right.days ||
      left.model.localeCompare(right.model),
  );
}

/** One line for a notice: timeline, dependents, suggestion and the command. */
export function describeDeprecation(deprecation: Deprecation): string {
  const parts = [`${deprecation.model} ${deprecation.timeline}`];
  parts.push(
    deprecation.dependents.length > 0
      ? `used by ${deprecation.dependents.join(', ')}`
      : 'no route or pin uses it',
  );
  if (deprecation.suggestion) {
    parts.push(
      `suggested migration: ${deprecation.suggestion.model} (${deprecation.suggestion.reasons.join(', ')})`,
    );
  }
  if (deprecation.command) parts.push(`run \`${deprecation.command}\``);
  return parts.join('; ');
}
