import { describe, expect, it } from 'vitest';
import type { SessionModelVersion } from '../spec/model-version.js';
import { createSessionVersionPolicy, type KnownVersion } from './session-version-policy.js';

const a1: KnownVersion = {
  id: 'ver_a1',
  model: 'or/a',
  facts: {
    source: 'openrouter',
    contextLength: 131_072,
    supportedParameters: ['tools'],
    family: 'meta-llama',
  },
};
const b1: KnownVersion = {
  id: 'ver_b1',
  model: 'or/b',
  facts: {
    source: 'openrouter',
    contextLength: 131_072,
    supportedParameters: ['tools'],
    family: 'mistral',
  },
};
const c1: KnownVersion = {
  id: 'ver_c1',
  model: 'or/c',
  facts: {
    source: 'openrouter',
    contextLength: 32_768,
    supportedParameters: [],
    family: 'meta-llama',
  },
};

function policy(served: KnownVersion[], known: KnownVersion[] = served) {
  return createSessionVersionPolicy({
    current: (model) => served.find((version) => version.model === model),
    byId: (id) => known.find((version) => version.id === id),
  });
}

const chain = [{ name: 'or/b' }, { name: 'or/a' }, { name: 'or/c' }];
const started: SessionModelVersion = { model: 'or/a', versionId: 'ver_a1', since: 1 };
const names = (members: Array<{ name: string }>) => members.map((member) => member.name);

describe('session version policy', () => {
  it('keeps a session on its version while it is served, even when the route leads with another model', () => {
    const arranged = policy([a1, b1, c1]).arrange(started, chain, 10);
    expect(names(arranged.members)).toEqual(['or/a', 'or/b', 'or/c']);
    expect(arranged.move).toBeUndefined();
  });

  it('leaves sessions without a version alone', () => {
    expect(policy([a1]).arrange(undefined, chain, 10).members).toBe(chain);
  });

  it("moves to the same model's new version when it lost nothing, and says what changed", () => {
    const a2: KnownVersion = {
      id: 'ver_a2',
      model: 'or/a',
      facts: { ...a1.facts, pricing: { prompt: 0.000_000_2 } },
    };
    const arranged = policy([a2, b1, c1], [a1, a2, b1, c1]).arrange(started, chain, 10);
    expect(names(arranged.members)[0]).toBe('or/a');
    expect(arranged.move).toEqual({
      from: started,
      to: { model: 'or/a', versionId: 'ver_a2', since: 10 },
      cause: 'version_replaced',
      summary: 'prompt price unknown → $0.20 per M',
    });
  });

  it('moves to the nearest compatible model when the new version lost a capability', () => {
    const a2: KnownVersion = {
      id: 'ver_a2',
      model: 'or/a',
      facts: { ...a1.facts, supportedParameters: [] },
    };
    const arranged = policy([a2, b1, c1], [a1, a2, b1, c1]).arrange(started, chain, 10);
    // or/c is the same family but has no tools and a smaller context: or/b is the nearest compatible.
    expect(names(arranged.members)[0]).toBe('or/b');
    expect(arranged.move).toMatchObject({
      cause: 'version_gone',
      to: { model: 'or/b', versionId: 'ver_b1' },
    });
    expect(arranged.move?.summary).toContain(
      'or/a now serves an incompatible version (no tools support)',
    );
  });

  it('moves when its model left the chain or is gone, and falls back to the first model when nothing is compatible', () => {
    const gone = policy([b1, c1], [a1, b1, c1]).arrange(started, chain, 10);
    expect(gone.move).toMatchObject({ cause: 'version_gone', to: { model: 'or/b' } });
    const narrow = policy([c1], [a1, c1]).arrange(started, [{ name: 'or/c' }], 10);
    expect(narrow.move).toMatchObject({ cause: 'route_changed', to: { model: 'or/c' } });
    expect(narrow.move?.summary).toContain('nothing compatible is served');
  });

  it('does not move a session whose model has no version records at all', () => {
    const unknown: SessionModelVersion = { model: 'custom/x', versionId: 'ver_old', since: 1 };
    const arranged = policy([]).arrange(unknown, [{ name: 'or/b' }, { name: 'custom/x' }], 10);
    expect(names(arranged.members)).toEqual(['custom/x', 'or/b']);
    expect(arranged.move).toBeUndefined();
  });
});
