import { describe, expect, it } from 'vitest';
import { createCooldowns } from './cooldowns.js';

describe('cooldowns', () => {
  it('tells the other replicas of a burst of Retry-Afters once, and of a longer one again', () => {
    let clock = 1_000;
    const told: Array<[string, number]> = [];
    const cooldowns = createCooldowns(() => clock, {
      onCool: (model, ms) => told.push([model, ms]),
    });
    cooldowns.cool('up/m', 30_000);
    clock += 10;
    cooldowns.cool('up/m', 30_000);
    cooldowns.cool('up/m', 5_000);
    expect(told).toEqual([['up/m', 30_000]]);
    cooldowns.cool('up/m', 60_000);
    expect(told).toEqual([
      ['up/m', 30_000],
      ['up/m', 60_000],
    ]);
    expect(cooldowns.remainingMs('up/m')).toBe(60_000);
  });

  it('keeps a cooldown heard from another replica without telling it back', () => {
    let clock = 1_000;
    const told: string[] = [];
    const cooldowns = createCooldowns(() => clock, { onCool: (model) => told.push(model) });
    cooldowns.coolFromElsewhere('up/m', 20_000);
    expect(cooldowns.isCooling('up/m')).toBe(true);
    expect(told).toEqual([]);
    clock += 20_000;
    expect(cooldowns.isCooling('up/m')).toBe(false);
  });
});
