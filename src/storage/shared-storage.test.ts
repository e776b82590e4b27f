import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { DailyRollup } from './metrics-store.js';
import type { ModelVersionRecord } from './model-versions-store.js';
import type { Storage } from './storage.js';

/**
 * Several replicas share one PostgreSQL database. Each replica is a storage of its own
 * (its own pool) on one database here; every write they race on must come out as if
 * they had taken turns. Rounds race many subjects at once, so an interleaving that
 * breaks the rule has many chances to show.
 */
const rounds = 12;

/** Settles every promise; the outcomes, in order. */
async function settle<T>(work: Array<Promise<T>>) {
  return Promise.allSettled(work);
}

const version: ModelVersionRecord = {
  id: 'ver_a',
  model: 'up/story',
  providerId: 'up',
  key: 'up:a',
  label: 'a',
  facts: { source: 'reported' },
  firstSeenAt: 1_000,
  lastSeenAt: 1_000,
  current: true,
  retiredAt: null,
  previousId: null,
  changeSummary: null,
};

function rollup(day: string, requests: number): DailyRollup {
  return {
    day,
    source: 'live',
    model: 'up/story',
    task: null,
    requests,
    errors: 0,
    latencyMsSum: 10 * requests,
    latencyHistogram: { '10': requests },
    firstTokenMsSum: 0,
    firstTokenCount: 0,
    promptTokens: 0,
    completionTokens: 0,
    throughputTokens: 0,
    throughputMs: 0,
    costUsd: 0,
    scenarios: 0,
    passed: 0,
    safetyTotal: 0,
    safetyPassed: 0,
    qualitySum: 0,
  };
}

describeEachDialect(
  'storage shared by two replicas',
  (database) => {
    async function twoReplicas(): Promise<[Storage, Storage]> {
      const location = await database.newLocation();
      const first = await database.open({ now: () => 1_000 }, location);
      const second = await database.open({ now: () => 2_000 }, location);
      return [first, second];
    }

    it('lets one of two replicas pinning a subject at once win, the other told to look again', async () => {
      const [a, b] = await twoReplicas();
      const subjects = Array.from({ length: rounds }, (_, index) => `route:r${index}`);
      const pin = (storage: Storage, subject: string, actor: string) =>
        storage.versions.changePin({
          subject,
          expectedActiveId: null,
          next: {
            model: 'up/story',
            versionId: 'ver_a',
            action: 'pin',
            actor,
            reason: 'first',
            previousPinId: null,
          },
          audit: [
            { actor, channel: 'api', action: 'versions.pin', subject, reason: 'first', detail: {} },
          ],
        });
      const outcomes = await settle(
        subjects.flatMap((subject) => [pin(a, subject, 'ann'), pin(b, subject, 'bo')]),
      );
      for (let index = 0; index < subjects.length; index += 1) {
        const pair = outcomes.slice(2 * index, 2 * index + 2);
        expect(pair.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        const refused = pair.find((outcome) => outcome.status === 'rejected');
        expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
          name: 'PinChangedError',
        });
      }
      expect((await a.versions.activePins()).map((active) => active.subject).sort()).toEqual(
        [...subjects].sort(),
      );
      // Only the winners' changes were audited.
      expect(await b.audit.list({ limit: 1000 })).toHaveLength(subjects.length);
    });

    it('counts every write in the versions generation, however many replicas write at once', async () => {
      const [a, b] = await twoReplicas();
      const before = await a.versions.generation();
      await Promise.all(
        Array.from({ length: rounds }, (_, index) =>
          (index % 2 === 0 ? a : b).versions.apply({
            versions: [{ ...version, id: `ver_${index}`, key: `up:${index}` }],
            notices: [],
          }),
        ),
      );
      expect(await b.versions.generation()).toBe(before + rounds);
    });

    it('adds a notice both replicas saw once, and tells only one of them it was added', async () => {
      const [a, b] = await twoReplicas();
      const notice = (index: number) => ({
        model: 'up/story',
        kind: 'new_version' as const,
        severity: 'info' as const,
        versionId: 'ver_a',
        previousVersionId: null,
        summary: `change ${index}`,
        changes: [],
        dependents: [],
        delivery: 'pending' as const,
        dedupeKey: `change:${index}`,
      });
      const results = await Promise.all(
        Array.from({ length: rounds }, (_, index) => [
          a.versions.apply({ versions: [], notices: [notice(index)] }),
          b.versions.apply({ versions: [], notices: [notice(index)] }),
        ]).flat(),
      );
      expect(results.flat()).toHaveLength(rounds);
      expect(await a.versions.notices({ limit: 1000 })).toHaveLength(rounds);
    });

    it('rolls up a day both replicas recompute at once into one set of rows', async () => {
      const [a, b] = await twoReplicas();
      const days = Array.from({ length: rounds }, (_, index) => `2024-05-${10 + index}`);
      await Promise.all(
        days.flatMap((day) => [
          a.metrics.replaceDays('live', [day], [rollup(day, 3)]),
          b.metrics.replaceDays('live', [day], [rollup(day, 3)]),
        ]),
      );
      const stored = await a.metrics.rollups({ source: 'live' });
      expect(stored.map((row) => [row.day, row.requests])).toEqual(days.map((day) => [day, 3]));
    });

    it('opens one alert for a condition both replicas see crossing its threshold', async () => {
      const [a, b] = await twoReplicas();
      const alert = (index: number) => ({
        key: `error_rate|up/m${index}|*`,
        metric: 'error_rate' as const,
        model: `up/m${index}`,
        task: null,
        value: 0.5,
        threshold: 0.1,
        message: 'error rate 50%',
        suggestion: null,
      });
      const opened = await Promise.all(
        Array.from({ length: rounds }, (_, index) => [
          a.alerts.open(alert(index)),
          b.alerts.open(alert(index)),
        ]).flat(),
      );
      expect(opened.filter((entry) => entry !== undefined)).toHaveLength(rounds);
      expect(await b.alerts.openAlerts()).toHaveLength(rounds);
    });

    it('adds one user of a name two replicas add at once, and refuses the other clearly', async () => {
      const [a, b] = await twoReplicas();
      const outcomes = await settle(
        Array.from({ length: rounds }, (_, index) => [
          a.users.add({ name: `u${index}`, tokenHash: `a${index}`, role: 'user' }),
          b.users.add({ name: `u${index}`, tokenHash: `b${index}`, role: 'user' }),
        ]).flat(),
      );
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused).toHaveLength(rounds);
      for (const outcome of refused) {
        expect(outcome.status === 'rejected' && outcome.reason).toMatchObject({
          name: 'UserConflictError',
        });
      }
      expect(await a.users.list()).toHaveLength(rounds);
    });

    it('replaces a provider catalog both replicas sync at once, one after the other', async () => {
      const [a, b] = await twoReplicas();
      const entries = (providerId: string) =>
        ['m1', 'm2', 'm3'].map((id) => ({ card: { id, providerId }, raw: { id } }));
      const providers = Array.from({ length: rounds }, (_, index) => `p${index}`);
      await Promise.all(
        providers.flatMap((provider) => [
          a.catalog.replace(provider, entries(provider), { startedAt: 1, skipped: 0 }),
          b.catalog.replace(provider, entries(provider), { startedAt: 1, skipped: 0 }),
        ]),
      );
      expect(await a.catalog.list()).toHaveLength(3 * rounds);
      expect(await b.catalog.runs({ limit: 1000 })).toHaveLength(2 * rounds);
    });

    it('writes a session only over the revision it read; the slower replica learns it lost', async () => {
      const [a, b] = await twoReplicas();
      const session = {
        id: 'player-1',
        owner: 'operator',
        requestedModel: 'route:story',
        pinnedModel: null,
        turns: 0,
        history: [],
        createdAt: 1_000,
        updatedAt: 1_000,
      };
      const created = await Promise.all([
        a.sessions.save({ ...session, turns: 1 }),
        b.sessions.save({ ...session, turns: 1 }),
      ]);
      expect(created.sort()).toEqual([1, undefined]);
      const stored = await a.sessions.get('player-1');
      expect(stored).toMatchObject({ turns: 1, revision: 1 });
      const both = await Promise.all([
        a.sessions.save({ ...session, ...stored, turns: 2 }),
        b.sessions.save({ ...session, ...stored, turns: 2 }),
      ]);
      expect(both.sort()).toEqual([2, undefined]);
      expect(await b.sessions.revision('player-1')).toBe(2);
    });
  },
  // SQLite serves one process: `BEGIN IMMEDIATE` makes its writers take turns already.
  { only: ['postgres'] },
);
