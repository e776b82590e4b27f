import { describe, expect, it } from 'vitest';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { ChatModel } from '../spec/index.js';
import type { Preferences } from './select-models.js';
import { createSelectionService, selectionHeader } from './selection-service.js';
import { loadTaskProfiles } from './task-profile.js';

/** A selection service over three models, counting how often its slow sources are asked. */
function service(cacheMs: number) {
  let clock = 0;
  const asked = { preferences: 0, resolved: 0 };
  let stored: Preferences = {};
  const selection = createSelectionService({
    profiles: loadTaskProfiles(),
    policy: {
      safetyThreshold: 0.9,
      allowUnbenchmarkedForSafety: false,
      excludeProviders: [],
      chainLength: 2,
    },
    cacheMs,
    now: () => clock,
    resolve: (name): ChainMember => {
      asked.resolved += 1;
      return { name, providerId: 'up', model: {} as ChatModel };
    },
    sources: {
      candidates: async () =>
        ['up/a', 'up/b', 'up/c'].map((name) => ({ name, local: false, contextLength: 8_192 })),
      live: () => undefined,
      doesNotFitNow: async () => new Set(),
      storedPreferences: async () => {
        asked.preferences += 1;
        return stored;
      },
    },
  });
  return {
    selection,
    asked,
    advance: (ms: number) => {
      clock += ms;
    },
    store: (preferences: Preferences) => {
      stored = preferences;
    },
  };
}

describe('selection service on the request path', () => {
  it('reuses a decision, its stored preferences and its chain while the decision is fresh', async () => {
    const { selection, asked, advance } = service(5_000);
    const first = await selection.chain('general_chat', 'operator');
    advance(1_000);
    const second = await selection.chain('general_chat', 'operator');
    expect(second.selection).toBe(first.selection);
    expect(second.members.map((member) => member.name)).toEqual(['up/a', 'up/b']);
    // The same members, in a list of its own: callers reorder chains.
    expect(second.members[0]).toBe(first.members[0]);
    expect(second.members).not.toBe(first.members);
    expect(asked).toEqual({ preferences: 1, resolved: 2 });
    advance(5_000);
    await selection.chain('general_chat', 'operator');
    expect(asked).toEqual({ preferences: 2, resolved: 4 });
  });

  it('reads stored preferences again once they are saved (invalidate) or with no cache', async () => {
    const cached = service(5_000);
    await cached.selection.chain('general_chat', 'operator');
    cached.store({ avoid: ['up/a'] });
    cached.selection.invalidate();
    const after = await cached.selection.chain('general_chat', 'operator');
    expect(after.members.map((member) => member.name)).toEqual(['up/b', 'up/c']);

    const uncached = service(0);
    await uncached.selection.chain('general_chat', 'operator');
    await uncached.selection.chain('general_chat', 'operator');
    expect(uncached.asked.preferences).toBe(2);
  });

  it('describes a decision the same way every time', async () => {
    const { selection } = service(5_000);
    const { selection: decision } = await selection.chain('general_chat', 'operator');
    const header = selectionHeader(decision, 'up/a');
    expect(header).toMatch(/^task=general_chat; chose up\/a \(score /);
    expect(selectionHeader(decision, 'up/a')).toBe(header);
    expect(selectionHeader(decision, 'up/b')).toMatch(/chose up\/b/);
  });
});
