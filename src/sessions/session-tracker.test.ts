import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { Attempt } from '../resilience/all-models-failed.js';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { ChatModel } from '../spec/index.js';
import type { Sessions, Storage } from '../storage/index.js';
import { createSessionTracker, keptSwitches } from './session-tracker.js';

/** A chain member that is never called: the tracker only orders members. */
function member(name: string): ChainMember {
  const [providerId = '', modelId = ''] = name.split('/');
  const model: ChatModel = {
    providerId,
    modelId,
    generate: () => Promise.reject(new Error('not called')),
    stream: () => {
      throw new Error('not called');
    },
  };
  return { name, providerId, model };
}

const route = ['up/one', 'up/two', 'up/three'].map(member);
const turn = { sessionId: 'player-1', owner: 'operator', requestedModel: 'route:story' };

function failed(model: string): Attempt {
  return { model, code: 'upstream_error', message: 'HTTP 500', durationMs: 5, afterContent: false };
}

/** The store with a count of every call, to see what the hot path costs. */
function counted(sessions: Sessions) {
  const calls = { get: 0, revision: 0, save: 0 };
  const store: Sessions = {
    ...sessions,
    get(id) {
      calls.get += 1;
      return sessions.get(id);
    },
    revision(id) {
      calls.revision += 1;
      return sessions.revision(id);
    },
    save(session) {
      calls.save += 1;
      return sessions.save(session);
    },
  };
  return { store, calls };
}

/** A replica's tracker over its own storage; no model has answered anyone yet. */
function replica(storage: Storage, shared = true) {
  const { store, calls } = counted(storage.sessions);
  let clock = 1_000;
  const tracker = createSessionTracker({
    store,
    shared,
    now: () => (clock += 1),
    health: { isUnwell: () => false, lastSuccessAt: () => undefined },
  });
  return { tracker, calls };
}

const names = (members: ChainMember[]) => members.map((entry) => entry.name);

describeEachDialect('session tracker on storage shared by replicas', (database) => {
  async function twoReplicas(shared = true) {
    const location = await database.newLocation();
    return [
      replica(await database.open({}, location), shared),
      replica(await database.open({}, location), shared),
    ] as const;
  }

  it('continues a session on the other replica, and back, where it really is', async () => {
    const [a, b] = await twoReplicas();
    // Turn 1 on A: one failed, two took over; the session stays on two.
    expect(names(await a.tracker.arrange(turn, route))).toEqual(['up/one', 'up/two', 'up/three']);
    await a.tracker.record(turn, 'up/one', 'up/two', [failed('up/one')]);
    // Turn 2 on B: it starts on two; two fails, three takes over.
    expect(names(await b.tracker.arrange(turn, route))).toEqual(['up/two', 'up/one', 'up/three']);
    await b.tracker.record(turn, 'up/one', 'up/three', [failed('up/two')]);
    // Turn 3 on A, whose cache still says "two": it starts on three.
    expect(names(await a.tracker.arrange(turn, route))).toEqual(['up/three', 'up/one', 'up/two']);
    const third = await a.tracker.record(turn, 'up/one', 'up/three', []);
    expect(third).toMatchObject({ turns: 3, pinnedModel: 'up/three', revision: 3 });
    expect(third.history.map((entry) => [entry.from, entry.to])).toEqual([
      ['up/one', 'up/two'],
      ['up/two', 'up/three'],
    ]);
    expect(await b.tracker.get('player-1')).toEqual(third);
  });

  it('loses no turn when two replicas record one session at once', async () => {
    const [a, b] = await twoReplicas();
    await a.tracker.arrange(turn, route);
    await b.tracker.arrange(turn, route);
    const recorded = await Promise.all([
      a.tracker.record(turn, 'up/one', 'up/one', []),
      b.tracker.record(turn, 'up/one', 'up/two', [failed('up/one')]),
      a.tracker.record(turn, 'up/one', 'up/one', []),
    ]);
    expect(recorded.map((session) => session.turns).sort()).toEqual([1, 2, 3]);
    const stored = await a.tracker.get('player-1');
    expect(stored).toMatchObject({ turns: 3, revision: 3 });
    expect(stored?.history).toHaveLength(1);
  });

  it('costs one revision read per turn while nobody else wrote the session', async () => {
    const [a] = await twoReplicas();
    await a.tracker.arrange(turn, route);
    await a.tracker.record(turn, 'up/one', 'up/one', []);
    const before = { ...a.calls };
    for (let index = 0; index < 3; index += 1) {
      await a.tracker.arrange(turn, route);
      await a.tracker.record(turn, 'up/one', 'up/one', []);
    }
    expect({
      get: a.calls.get - before.get,
      revision: a.calls.revision - before.revision,
      save: a.calls.save - before.save,
    }).toEqual({ get: 0, revision: 3, save: 3 });
  });

  it('keeps the latest switches of a session that switches on every turn', async () => {
    const [a] = await twoReplicas(false);
    const flapping = { ...turn, sessionId: 'player-flapping' };
    let recorded = await a.tracker.record(flapping, 'up/one', 'up/two', [failed('up/one')]);
    for (let index = 1; index < keptSwitches + 20; index += 1) {
      const [from, to] = index % 2 === 0 ? ['up/one', 'up/two'] : ['up/two', 'up/one'];
      recorded = await a.tracker.record(flapping, 'up/one', to, [failed(from)]);
    }
    expect(recorded.turns).toBe(keptSwitches + 20);
    expect(recorded.history).toHaveLength(keptSwitches);
    // The newest kept, in order: the last switch went from two to one.
    expect(recorded.history.at(-1)).toMatchObject({ from: 'up/two', to: 'up/one' });
    const times = recorded.history.map((entry) => entry.at);
    expect(times).toEqual([...times].sort((left, right) => left - right));
    expect((await a.tracker.get('player-flapping'))?.history).toHaveLength(keptSwitches);
  });

  it('reads nothing before a turn when the storage is its own (one process)', async () => {
    const [a] = await twoReplicas(false);
    await a.tracker.arrange(turn, route);
    await a.tracker.record(turn, 'up/one', 'up/one', []);
    const before = { ...a.calls };
    await a.tracker.arrange(turn, route);
    await a.tracker.record(turn, 'up/one', 'up/one', []);
    expect([a.calls.get - before.get, a.calls.revision - before.revision]).toEqual([0, 0]);
  });
});
