import { afterEach, expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import type { Storage } from '../storage/index.js';
import { createLogger } from '../telemetry/logger.js';
import { createCooldowns } from './cooldowns.js';
import { createModelHealth } from './model-health.js';
import { createSharedHealth, type SharedHealth } from './shared-health.js';

const model = 'up/story';
const silent = createLogger({ level: 'silent' });
const down = () => Promise.reject(new Error('upstream 500'));
const fine = () => Promise.resolve('ok');

/** Waits (bounded) for what another replica's event brings about. */
const soon = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

describeEachDialect('shared model health', (database) => {
  const started: SharedHealth[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((shared) => shared.close()));
  });

  /** One replica's health on `storage`, sharing through it. */
  function replica(name: string, storage: Storage) {
    let shared: SharedHealth | undefined;
    const cooldowns = createCooldowns(Date.now, {
      onCool: (coolModel, ms) => shared?.announceCooldown(coolModel, ms),
    });
    const health = createModelHealth({
      thresholds: { failuresToOpen: 3, halfOpenAfterMs: 60_000 },
      countsAsFailure: (error) => error instanceof Error,
      onSignal: (signal) => shared?.announce(signal),
    });
    shared = createSharedHealth({
      store: storage.healthEvents,
      changes: storage.changes,
      health,
      cooldowns,
      replica: name,
      logger: silent,
      // On PostgreSQL only the notification can bring an event this soon; SQLite polls.
      pollMs: database.dialect === 'postgres' ? 60_000 : 50,
    });
    started.push(shared);
    return { health, cooldowns, shared, storage };
  }

  async function twoReplicas() {
    const location = await database.newLocation();
    const a = replica('a', await database.open({}, location));
    const b = replica('b', await database.open({}, location));
    await Promise.all([a.shared.start(), b.shared.start()]);
    return { a, b };
  }

  it('holds a model back on B once its breaker opened on A, before B sends it anything', async () => {
    const { a, b } = await twoReplicas();
    expect(b.health.isUnwell(model)).toBe(false);
    for (let failure = 0; failure < 3; failure += 1)
      await a.health.run(model, down).catch(() => {});
    expect(a.health.snapshot(model).breaker).toBe('open');

    await soon(() => expect(b.health.isUnwell(model)).toBe(true));
    const seenOnB = b.health.snapshot(model);
    // B saw no failure of its own: its breaker is closed, the hold is A's.
    expect(seenOnB).toMatchObject({ breaker: 'closed', samples: 0 });
    expect(seenOnB.heldElsewhereUntil).toBeGreaterThan(Date.now());
  });

  it("ends A's open breaker when the model answers on B", async () => {
    const { a, b } = await twoReplicas();
    for (let failure = 0; failure < 3; failure += 1)
      await a.health.run(model, down).catch(() => {});
    await soon(() => expect(b.health.isUnwell(model)).toBe(true));

    // Nothing else left on B: it tries the model, which has recovered.
    expect(await b.health.run(model, fine)).toBe('ok');
    expect(b.health.isUnwell(model)).toBe(false);
    // A's breaker would wait its full minute; B's answer closes it within the delay.
    await soon(() => expect(a.health.snapshot(model).breaker).toBe('closed'));
    expect(a.health.isUnwell(model)).toBe(false);
    expect(await a.health.run(model, fine)).toBe('ok');
  });

  it('tells a replica that starts later of a hold still in force', async () => {
    const location = await database.newLocation();
    const a = replica('a', await database.open({}, location));
    await a.shared.start();
    for (let failure = 0; failure < 3; failure += 1)
      await a.health.run(model, down).catch(() => {});
    await a.shared.close();

    const late = replica('c', await database.open({}, location));
    await late.shared.start();
    expect(late.health.isUnwell(model)).toBe(true);
  });

  it("cools a model on B for what is left of A's Retry-After, and not the other way round", async () => {
    const { a, b } = await twoReplicas();
    a.cooldowns.cool(model, 30_000);
    await soon(() => expect(b.cooldowns.isCooling(model)).toBe(true));
    expect(b.cooldowns.remainingMs(model)).toBeLessThanOrEqual(30_000);
    expect(b.cooldowns.remainingMs(model)).toBeGreaterThan(20_000);
    // B heard it and does not tell it back: the one event in the table is A's.
    await Promise.all(started.map((shared) => shared.close()));
    const events = await b.storage.healthEvents.after(0);
    expect(events.map((event) => [event.replica, event.kind])).toEqual([['a', 'cooldown']]);
  });
});
