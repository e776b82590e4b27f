import { describe, expect, it } from 'vitest';
import { isExcluded, perMillion, rulesOf } from './exclusions.js';
import type { SelectionInput } from './select-models.js';
import { loadTaskProfiles } from './task-profile.js';

const profile = loadTaskProfiles().get('choice_generation');
if (!profile) throw new Error('choice_generation is a shipped task');

const input: SelectionInput = {
  profile,
  candidates: [],
  scores: new Map(),
  live: new Map(),
  doesNotFitNow: new Set(),
  preferences: { localOnly: true, avoid: ['p/far'] },
  policy: {
    safetyThreshold: 0.9,
    allowUnbenchmarkedForSafety: false,
    excludeProviders: ['p'],
    chainLength: 3,
  },
};

describe('isExcluded', () => {
  const rules = rulesOf(input);
  const far = { name: 'p/far', local: false, contextLength: 2_048, supportedParameters: [] };

  it('says yes at the first failure, and with a list names every failure in words', () => {
    expect(isExcluded(far, rules, undefined, undefined)).toBe(true);
    const reasons: string[] = [];
    expect(isExcluded(far, rules, undefined, undefined, reasons)).toBe(true);
    expect(reasons).toEqual([
      'policy: provider p is excluded',
      'preference: avoided by the player',
      'preference: local models only',
      'context 2048 < 4000 tokens',
      'does not support response_format',
    ]);
  });

  it('lets a model through that meets every rule', () => {
    const near = { name: 'q/near', local: true, contextLength: 8_192 };
    const reasons: string[] = [];
    expect(isExcluded(near, rules, undefined, undefined, reasons)).toBe(false);
    expect(reasons).toEqual([]);
    expect(perMillion(0.000_000_6)).toBe('$0.60/M');
  });
});
