/**
 * One provider's listing held against the version registry: which versions are new,
 * which came back, which models left, which got an expiration date — as version rows to
 * write and notices to add. Pure: the caller stores the result in one transaction.
 */
import type { VersionFacts } from '../spec/model-version.js';
import type {
  ModelVersionRecord,
  NewVersionNotice,
  NoticeDelivery,
  VersionNoticeSeverity,
} from '../storage/index.js';
import { describeChanges, severityOf, summarizeChanges } from './change-summary.js';
import { retirementTimeline } from './deprecations.js';
import { versionIdFor, versionKey, versionLabel } from './version-facts.js';

/** A model of the listing and its version facts. */
export interface ObservedVersion {
  /** Public model name. */
  model: string;
  facts: VersionFacts;
}

/** Inputs of {@link planReconcile}. */
export interface ReconcileInput {
  providerId: string;
  /** Versioned models of the listing; undefined for providers versioned by their answers only. */
  observed: readonly ObservedVersion[] | undefined;
  /** Every model the listing names (versioned or not). */
  listed: ReadonlySet<string>;
  /** The provider's versions in the registry. */
  registry: readonly ModelVersionRecord[];
  /** Now, epoch milliseconds. */
  now: number;
  /** Routes, aliases and pins that depend on a model. */
  dependents: (model: string) => string[];
  /** A sentence proposing where to move a model that left, when there is a target. */
  migrationHint: (model: string, facts: VersionFacts | undefined) => string | undefined;
  /** `pending` when a webhook will deliver the notices, else `none`. */
  delivery: NoticeDelivery;
}

/** What to store. */
export interface ReconcilePlan {
  versions: ModelVersionRecord[];
  notices: NewVersionNotice[];
}

/** A version's `lastSeenAt` is refreshed at most this often when nothing else changed. */
const touchIntervalMs = 60 * 60_000;

/** Compares a listing with the registry. */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const { now } = input;
  const plan: ReconcilePlan = { versions: [], notices: [] };
  const current = new Map<string, ModelVersionRecord>();
  const latest = new Map<string, ModelVersionRecord>();
  const byId = new Map<string, ModelVersionRecord>();
  for (const version of input.registry) {
    byId.set(version.id, version);
    if (version.current) current.set(version.model, version);
    const known = latest.get(version.model);
    if (!known || version.lastSeenAt >= known.lastSeenAt) latest.set(version.model, version);
  }
  // The first listing of a provider is the baseline: its models are not "new".
  const baseline = input.registry.length === 0;
  const notice = (
    model: string,
    fields: Omit<NewVersionNotice, 'model' | 'delivery' | 'dependents' | 'at'>,
  ): NewVersionNotice => ({
    model,
    dependents: input.dependents(model),
    delivery: input.delivery,
    at: now,
    ...fields,
  });

  /** A deprecation notice names what depends on the model and where to move it. */
  const withHint = <Notice extends { summary: string }>(
    fields: Notice,
    model: string,
    facts: VersionFacts,
  ): Notice => {
    const dependents = input.dependents(model);
    const hint = input.migrationHint(model, facts);
    return {
      ...fields,
      summary: [
        fields.summary,
        dependents.length > 0 ? `used by ${dependents.join(', ')}` : 'no route or pin uses it',
        ...(hint ? [hint] : []),
      ].join('; '),
    };
  };

  for (const { model, facts } of input.observed ?? []) {
    const key = versionKey(facts);
    const id = versionIdFor(model, key);
    const serving = current.get(model);
    if (serving?.id === id) {
      const expiry = expiryNotice(model, serving.facts.expiresAt, facts.expiresAt, id, now);
      const factsChanged = JSON.stringify(serving.facts) !== JSON.stringify(facts);
      if (factsChanged || now - serving.lastSeenAt >= touchIntervalMs)
        plan.versions.push({ ...serving, facts, lastSeenAt: now });
      if (expiry) plan.notices.push(notice(model, withHint(expiry, model, facts)));
      continue;
    }
    const before = serving ?? latest.get(model);
    const known = byId.get(id);
    const changes = before ? describeChanges(before.facts, facts) : [];
    const summary = before ? summarizeChanges(changes, 'a new version with the same card') : null;
    plan.versions.push({
      id,
      model,
      providerId: input.providerId,
      key,
      label: versionLabel(facts),
      facts,
      firstSeenAt: known?.firstSeenAt ?? now,
      lastSeenAt: now,
      current: true,
      retiredAt: null,
      previousId: before?.id ?? known?.previousId ?? null,
      changeSummary: summary ?? known?.changeSummary ?? null,
    });
    if (serving) plan.versions.push({ ...serving, current: false, retiredAt: now });
    if (before && summary !== null) {
      const returned = serving === undefined;
      plan.notices.push(
        notice(model, {
          kind: returned ? 'returned' : 'new_version',
          severity: severityOf(changes),
          versionId: id,
          previousVersionId: before.id,
          summary: returned
            ? `${model} is listed again, as ${versionLabel(facts)}: ${summary}`
            : `${model} has a new version (${versionLabel(facts)}): ${summary}`,
          changes,
          // Keyed by what was read, so two processes seeing one change add one notice.
          dedupeKey: `${returned ? 'returned' : 'version'}:${model}:${before.id}->${id}:${before.lastSeenAt}`,
        }),
      );
    } else if (!baseline) {
      plan.notices.push(
        notice(model, {
          kind: 'new_model',
          severity: 'info',
          versionId: id,
          previousVersionId: null,
          summary: `${model} is new in ${input.providerId}'s listing (${versionLabel(facts)})`,
          changes: [],
          dedupeKey: `new:${model}:${id}`,
        }),
      );
    }
    const expiry = expiryNotice(model, before?.facts.expiresAt, facts.expiresAt, id, now);
    // A first listing warns only of retirements something here depends on.
    if (expiry && (!baseline || input.dependents(model).length > 0))
      plan.notices.push(notice(model, withHint(expiry, model, facts)));
  }

  // Models versioned by their answers: a listing can only say they left or came back.
  if (input.observed === undefined) {
    for (const [model, version] of latest) {
      if (current.has(model) || !input.listed.has(model)) continue;
      plan.versions.push({ ...version, current: true, retiredAt: null, lastSeenAt: now });
      plan.notices.push(
        notice(model, {
          kind: 'returned',
          severity: 'info',
          versionId: version.id,
          previousVersionId: null,
          summary: `${model} is listed again (last known as ${version.label})`,
          changes: [],
          dedupeKey: `returned:${model}:${version.id}:${version.retiredAt ?? version.lastSeenAt}`,
        }),
      );
    }
  }

  for (const [model, serving] of current) {
    if (input.listed.has(model)) continue;
    plan.versions.push({ ...serving, current: false, retiredAt: now });
    const dependents = input.dependents(model);
    const hint = input.migrationHint(model, serving.facts);
    const severity: VersionNoticeSeverity = dependents.length > 0 ? 'breaking' : 'warning';
    plan.notices.push(
      notice(model, {
        kind: 'removed',
        severity,
        versionId: null,
        previousVersionId: serving.id,
        summary: [
          `${model} is gone from ${input.providerId}'s listing (last version ${serving.label})`,
          dependents.length > 0 ? `used by ${dependents.join(', ')}` : 'no route or pin uses it',
          ...(hint ? [hint] : []),
        ].join('; '),
        changes: [],
        dedupeKey: `removed:${model}:${serving.id}:${serving.lastSeenAt}`,
      }),
    );
  }
  return plan;
}

/** A deprecation notice when an expiration date appeared or moved. */
function expiryNotice(
  model: string,
  before: string | undefined,
  after: string | undefined,
  versionId: string,
  now: number,
): Omit<NewVersionNotice, 'model' | 'delivery' | 'dependents' | 'at'> | undefined {
  if (after === undefined || after === before || Number.isNaN(Date.parse(after))) return undefined;
  const timeline = retirementTimeline(after, now);
  return {
    kind: 'deprecation',
    severity: 'warning',
    versionId,
    previousVersionId: null,
    summary: `${model} ${timeline}${before ? ` (the date was ${before})` : ''}`,
    changes: [
      {
        field: 'expiresAt',
        from: before ?? null,
        to: after,
        text: `expires ${after}`,
        breaking: false,
      },
    ],
    dedupeKey: `deprecation:${model}:${after}`,
  };
}
