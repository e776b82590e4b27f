import { describe, expect, it } from 'vitest';
import { openRouterFixtureEntries } from '../../testkit/openrouter-fixture.js';
import type { CatalogItem } from '../catalog/filter-catalog.js';
import { openRouterCard } from '../catalog/openrouter-models.js';
import type { ModelVersionRecord } from '../storage/index.js';
import { describeDeprecation, listDeprecations, retirementTimeline } from './deprecations.js';
import { sizeFromName, suggestMigrationTarget } from './migration-target.js';

const day = 86_400_000;
const now = Date.parse('2025-05-20T09:00:00Z');

/** The fixture's OpenRouter catalog as the catalog shows it. */
function catalog(): CatalogItem[] {
  return openRouterFixtureEntries().flatMap((entry) => {
    const card = openRouterCard(entry, 'openrouter');
    if (!card) return [];
    const { name: displayName, ...rest } = card;
    return [
      {
        ...rest,
        name: `openrouter/${card.id}`,
        ...(displayName ? { displayName } : {}),
        providerType: 'openrouter' as const,
        local: false,
      },
    ];
  });
}

describe('retirementTimeline', () => {
  it('counts whole days to the date', () => {
    expect(retirementTimeline('2025-06-01', now)).toBe('retires in 12 days (2025-06-01)');
    expect(retirementTimeline('2025-05-21', now)).toBe('retires tomorrow (2025-05-21)');
    expect(retirementTimeline('2025-05-20', now)).toBe('retires today (2025-05-20)');
    expect(retirementTimeline('2025-05-10', now)).toBe('retired 10 days ago (2025-05-10)');
  });
});

describe('suggestMigrationTarget', () => {
  it('moves a retiring free model to its paid variant, then to the same family and size', () => {
    const items = catalog();
    const retiring = items.find(
      (item) => item.name === 'openrouter/meta-llama/llama-3.1-8b-instruct:free',
    );
    if (!retiring) throw new Error('fixture lacks the free llama 3.1 8b');
    const suggestion = suggestMigrationTarget(
      {
        name: retiring.name,
        providerId: 'openrouter',
        facts: { family: 'meta-llama', contextLength: retiring.contextLength ?? 0 },
        isFree: true,
      },
      items,
      { now },
    );
    expect(suggestion?.model).toBe('openrouter/meta-llama/llama-3.1-8b-instruct');
    expect(suggestion?.reasons).toContain('the paid variant of the same model');

    const withoutVariant = suggestMigrationTarget(
      {
        name: retiring.name,
        providerId: 'openrouter',
        facts: { family: 'meta-llama' },
        isFree: true,
      },
      items,
      { now, exclude: new Set(['openrouter/meta-llama/llama-3.1-8b-instruct']) },
    );
    expect(withoutVariant?.model.startsWith('openrouter/meta-llama/')).toBe(true);
  });

  it('never suggests a model that lacks a capability the old one had, or retires soon itself', () => {
    const items = catalog();
    const suggestion = suggestMigrationTarget(
      {
        name: 'openrouter/old/tool-model-8b',
        providerId: 'openrouter',
        facts: { supportedParameters: ['tools'], family: 'google' },
      },
      items,
      { now },
    );
    const target = items.find((item) => item.name === suggestion?.model);
    expect(target?.supportedParameters).toContain('tools');
    expect(target?.expiresAt).toBeUndefined();
  });

  it('counts benchmark quality when there is one', () => {
    const items = catalog();
    const facts = { family: 'mistralai' };
    const plain = suggestMigrationTarget(
      { name: 'openrouter/x/y-7b', providerId: 'openrouter', facts },
      items,
      { now },
    );
    const scored = suggestMigrationTarget(
      { name: 'openrouter/x/y-7b', providerId: 'openrouter', facts },
      items,
      {
        now,
        quality: (model) => (model === 'openrouter/mistralai/mistral-nemo' ? 1 : 0),
      },
    );
    expect(plain?.model).not.toBe(undefined);
    expect(scored?.model).toBe('openrouter/mistralai/mistral-nemo');
    expect(scored?.reasons).toContain('benchmark quality 1.00');
  });

  it('reads sizes from model names', () => {
    expect(sizeFromName('openrouter/meta-llama/llama-3.1-8b-instruct:free')).toBe(8e9);
    expect(sizeFromName('ollama/qwen2.5-1.5b')).toBe(1.5e9);
    expect(sizeFromName('openrouter/openai/gpt-4o-mini')).toBeUndefined();
  });
});

describe('listDeprecations', () => {
  it('flags expiring and gone models with timelines, dependents and a migration command', () => {
    const items = catalog().map((item) =>
      item.name === 'openrouter/google/gemini-2.0-flash-exp:free'
        ? { ...item, expiresAt: '2025-06-01' }
        : item,
    );
    const gone: ModelVersionRecord = {
      id: 'ver_gone',
      model: 'openrouter/meta-llama/llama-2-13b-chat',
      providerId: 'openrouter',
      key: 'k',
      label: 'meta-llama/llama-2-13b-chat',
      facts: { source: 'openrouter', family: 'meta-llama', contextLength: 4096 },
      firstSeenAt: now - 100 * day,
      lastSeenAt: now - 3 * day,
      current: false,
      retiredAt: now - 3 * day,
      previousId: null,
      changeSummary: null,
    };
    const deprecations = listDeprecations({
      catalog: items,
      versions: [gone],
      dependents: (model) =>
        model === 'openrouter/google/gemini-2.0-flash-exp:free' ? ['route:story'] : [],
      now,
    });
    const gemini = deprecations[0];
    expect(gemini).toMatchObject({
      model: 'openrouter/google/gemini-2.0-flash-exp:free',
      reason: 'expires',
      days: 12,
      timeline: 'retires in 12 days (2025-06-01)',
      dependents: ['route:story'],
    });
    expect(gemini?.suggestion?.model.startsWith('openrouter/google/')).toBe(true);
    expect(gemini?.command).toBe(
      `tta-models versions migrate openrouter/google/gemini-2.0-flash-exp:free --to ${gemini?.suggestion?.model} --reason "retires in 12 days (2025-06-01)"`,
    );
    expect(describeDeprecation(gemini as NonNullable<typeof gemini>)).toContain(
      'used by route:story',
    );
    const llama2 = deprecations.find((entry) => entry.model === gone.model);
    expect(llama2).toMatchObject({
      reason: 'gone',
      timeline: "gone from openrouter's listing since 2025-05-17 (3 days)",
      dependents: [],
    });
    expect(llama2?.command).toBeUndefined();
  });
});
