import { describe, expect, it } from 'vitest';
import type { VersionFacts } from '../spec/model-version.js';
import type { ModelVersionRecord } from '../storage/index.js';
import { planReconcile, type ReconcileInput } from './plan-reconcile.js';
import { versionIdFor, versionKey, versionLabel } from './version-facts.js';

const day = 86_400_000;
const now = Date.parse('2025-05-20T12:00:00Z');

function ollama(digest: string): VersionFacts {
  return { source: 'ollama', digest: `sha256:${digest.repeat(64)}`, family: 'llama' };
}

function stored(
  model: string,
  facts: VersionFacts,
  at: number,
  current = true,
): ModelVersionRecord {
  const key = versionKey(facts);
  return {
    id: versionIdFor(model, key),
    model,
    providerId: model.split('/')[0] ?? '',
    key,
    label: versionLabel(facts),
    facts,
    firstSeenAt: at,
    lastSeenAt: at,
    current,
    retiredAt: current ? null : at,
    previousId: null,
    changeSummary: null,
  };
}

function input(overrides: Partial<ReconcileInput>): ReconcileInput {
  return {
    providerId: 'ollama',
    observed: [],
    listed: new Set(),
    registry: [],
    now,
    dependents: (model) => (model === 'ollama/llama3.2' ? ['route:story'] : []),
    migrationHint: (model) =>
      model === 'ollama/llama3.2' ? 'suggested migration: ollama/llama3.3' : undefined,
    delivery: 'none',
    ...overrides,
  };
}

describe('planReconcile', () => {
  it('records a first listing as the baseline, without notices', () => {
    const plan = planReconcile(
      input({
        observed: [{ model: 'ollama/llama3.2', facts: ollama('a') }],
        listed: new Set(['ollama/llama3.2']),
      }),
    );
    expect(plan.notices).toEqual([]);
    expect(plan.versions).toHaveLength(1);
    expect(plan.versions[0]).toMatchObject({ current: true, previousId: null, firstSeenAt: now });
  });

  it('retires the old version and notices the new one with what changed', () => {
    const old = stored('ollama/llama3.2', ollama('a'), now - day);
    const plan = planReconcile(
      input({
        observed: [{ model: 'ollama/llama3.2', facts: ollama('b') }],
        listed: new Set(['ollama/llama3.2']),
        registry: [old],
        delivery: 'pending',
      }),
    );
    const fresh = plan.versions.find((version) => version.current);
    expect(fresh).toMatchObject({
      previousId: old.id,
      changeSummary: 'digest aaaaaaaaaaaa → bbbbbbbbbbbb',
    });
    expect(plan.versions.find((version) => version.id === old.id)).toMatchObject({
      current: false,
      retiredAt: now,
    });
    expect(plan.notices).toEqual([
      expect.objectContaining({
        kind: 'new_version',
        severity: 'info',
        model: 'ollama/llama3.2',
        previousVersionId: old.id,
        versionId: fresh?.id,
        dependents: ['route:story'],
        delivery: 'pending',
        summary:
          'ollama/llama3.2 has a new version (digest bbbbbbbbbbbb): digest aaaaaaaaaaaa → bbbbbbbbbbbb',
      }),
    ]);
  });

  it('keeps an unchanged version as it is (no write within the hour, no notice)', () => {
    const same = stored('ollama/llama3.2', ollama('a'), now - 60_000);
    const plan = planReconcile(
      input({
        observed: [{ model: 'ollama/llama3.2', facts: ollama('a') }],
        listed: new Set(['ollama/llama3.2']),
        registry: [same],
      }),
    );
    expect(plan).toEqual({ versions: [], notices: [] });
  });

  it('notices a model gone from the listing, with what uses it and where to move it', () => {
    const gone = stored('ollama/llama3.2', ollama('a'), now - day);
    const plan = planReconcile(input({ observed: [], listed: new Set(), registry: [gone] }));
    expect(plan.versions).toEqual([expect.objectContaining({ id: gone.id, current: false })]);
    expect(plan.notices).toEqual([
      expect.objectContaining({
        kind: 'removed',
        severity: 'breaking',
        summary:
          "ollama/llama3.2 is gone from ollama's listing (last version digest aaaaaaaaaaaa); used by route:story; suggested migration: ollama/llama3.3",
      }),
    ]);
  });

  it('notices an expiration date once, with the timeline', () => {
    const facts: VersionFacts = { ...ollama('a'), expiresAt: '2025-06-01' };
    const served = stored('ollama/llama3.2', ollama('a'), now - day);
    const plan = planReconcile(
      input({
        observed: [{ model: 'ollama/llama3.2', facts }],
        listed: new Set(['ollama/llama3.2']),
        registry: [served],
      }),
    );
    // Same version (the date is not part of the identity); its facts now carry the date.
    expect(plan.versions).toEqual([expect.objectContaining({ id: served.id, facts })]);
    expect(plan.notices).toEqual([
      expect.objectContaining({
        kind: 'deprecation',
        severity: 'warning',
        dedupeKey: 'deprecation:ollama/llama3.2:2025-06-01',
        summary:
          'ollama/llama3.2 retires in 12 days (2025-06-01); used by route:story; suggested migration: ollama/llama3.3',
      }),
    ]);
  });

  it('warns on a first listing only of retirements something depends on', () => {
    const retiring = (model: string): { model: string; facts: VersionFacts } => ({
      model,
      facts: { ...ollama('a'), expiresAt: '2025-06-01' },
    });
    const plan = planReconcile(
      input({
        observed: [retiring('ollama/llama3.2'), retiring('ollama/unused')],
        listed: new Set(['ollama/llama3.2', 'ollama/unused']),
      }),
    );
    expect(plan.notices.map((notice) => [notice.kind, notice.model])).toEqual([
      ['deprecation', 'ollama/llama3.2'],
    ]);
  });

  it('brings back a version listed again, and says so', () => {
    const old = stored('ollama/llama3.2', ollama('a'), now - 2 * day, false);
    const plan = planReconcile(
      input({
        observed: [{ model: 'ollama/llama3.2', facts: ollama('a') }],
        listed: new Set(['ollama/llama3.2']),
        registry: [old],
      }),
    );
    expect(plan.versions).toEqual([
      expect.objectContaining({
        id: old.id,
        current: true,
        retiredAt: null,
        firstSeenAt: old.firstSeenAt,
      }),
    ]);
    expect(plan.notices).toEqual([expect.objectContaining({ kind: 'returned' })]);
  });

  it('notices new models once a provider has a baseline', () => {
    const plan = planReconcile(
      input({
        observed: [
          { model: 'ollama/llama3.2', facts: ollama('a') },
          { model: 'ollama/qwen2.5', facts: ollama('c') },
        ],
        listed: new Set(['ollama/llama3.2', 'ollama/qwen2.5']),
        registry: [stored('ollama/llama3.2', ollama('a'), now - 60_000)],
      }),
    );
    expect(plan.notices).toEqual([
      expect.objectContaining({ kind: 'new_model', model: 'ollama/qwen2.5' }),
    ]);
  });

  it('for a provider versioned by answers, only notices models leaving or coming back', () => {
    const reported = stored(
      'local/qwen',
      { source: 'reported', reportedModel: 'qwen-q4' },
      now - day,
    );
    const left = planReconcile(
      input({ providerId: 'local', observed: undefined, listed: new Set(), registry: [reported] }),
    );
    expect(left.notices.map((notice) => notice.kind)).toEqual(['removed']);
    const back = planReconcile(
      input({
        providerId: 'local',
        observed: undefined,
        listed: new Set(['local/qwen']),
        registry: [{ ...reported, current: false, retiredAt: now - 1000 }],
      }),
    );
    expect(back.notices.map((notice) => notice.kind)).toEqual(['returned']);
    expect(back.versions[0]).toMatchObject({ current: true });
  });
});
