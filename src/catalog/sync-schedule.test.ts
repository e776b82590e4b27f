import { describe, expect, it } from 'vitest';
import { createSyncSchedule, type ScheduleTimers } from './sync-schedule.js';

/** Timers that fire only when the test says so, and remember whether they were unref'd. */
function manualTimers() {
  const pending: Array<{ callback: () => void; ms: number; unrefed: boolean; cleared: boolean }> =
    [];
  const timers: ScheduleTimers = {
    setTimeout(callback, ms) {
      const timer = { callback, ms, unrefed: false, cleared: false };
      pending.push(timer);
      return {
        unref() {
          timer.unrefed = true;
        },
        timer,
      };
    },
    clearTimeout(handle) {
      (handle as unknown as { timer: { cleared: boolean } }).timer.cleared = true;
    },
  };
  return {
    timers,
    pending,
    /** Fires the most recent live timer. */
    fire() {
      const timer = pending.filter((candidate) => !candidate.cleared).at(-1);
      if (!timer) throw new Error('no timer is pending');
      timer.cleared = true;
      timer.callback();
    },
  };
}

const hour = 3_600_000;

describe('background catalog sync', () => {
  it('syncs at once in the background when the catalog is older than the interval, then every interval', async () => {
    const manual = manualTimers();
    let syncs = 0;
    const clock = 10 * hour;
    const schedule = createSyncSchedule({
      intervalMs: 6 * hour,
      now: () => clock,
      lastSyncedAt: async () => clock - 7 * hour,
      sync: async () => {
        syncs += 1;
      },
      timers: manual.timers,
    });
    schedule.start();
    expect(syncs).toBe(0); // start() never waits
    await schedule.idle();
    expect(syncs).toBe(1);
    expect(manual.pending.at(-1)).toMatchObject({ ms: 6 * hour, unrefed: true });
    expect(schedule.nextRunAt).toBe(clock + 6 * hour);

    manual.fire();
    await schedule.idle();
    expect(syncs).toBe(2);
    schedule.stop();
    expect(schedule.nextRunAt).toBeUndefined();
    expect(manual.pending.at(-1)?.cleared).toBe(true);
  });

  it('waits for the rest of the interval after a recent sync, and a full one when there was none', async () => {
    const recent = manualTimers();
    const clock = 10 * hour;
    const schedule = createSyncSchedule({
      intervalMs: 6 * hour,
      now: () => clock,
      lastSyncedAt: async () => clock - 2 * hour,
      sync: async () => {},
      timers: recent.timers,
    });
    schedule.start();
    await schedule.idle();
    expect(recent.pending.map((timer) => timer.ms)).toEqual([4 * hour]);
    schedule.stop();

    const never = manualTimers();
    const fresh = createSyncSchedule({
      intervalMs: 6 * hour,
      now: () => clock,
      lastSyncedAt: async () => undefined,
      sync: async () => {},
      timers: never.timers,
    });
    fresh.start();
    await fresh.idle();
    expect(never.pending.map((timer) => timer.ms)).toEqual([6 * hour]);
    fresh.stop();
  });

  it('keeps going after a sync throws, and reports the error', async () => {
    const manual = manualTimers();
    const errors: unknown[] = [];
    const schedule = createSyncSchedule({
      intervalMs: hour,
      now: () => 0,
      lastSyncedAt: async () => -hour,
      sync: async () => {
        throw new Error('database locked');
      },
      onError: (error) => errors.push(error),
      timers: manual.timers,
    });
    schedule.start();
    await schedule.idle();
    expect(errors).toEqual([new Error('database locked')]);
    expect(manual.pending.at(-1)?.ms).toBe(hour);
    schedule.stop();
  });
});
