import { describe, expect, it } from 'vitest';
import { openRouterFixtureEntries } from '../../testkit/openrouter-fixture.js';
import { type CatalogItem, filterCatalog } from './filter-catalog.js';
import { parseOpenRouterModels } from './openrouter-models.js';

/** The fixture catalog as the catalog shows it, plus two local models. */
function catalog(): CatalogItem[] {
  const { entries } = parseOpenRouterModels({ data: openRouterFixtureEntries() }, 'openrouter');
  const remote = entries.map(({ card: { name, ...card } }) => ({
    ...card,
    name: `openrouter/${card.id}`,
    ...(name === undefined ? {} : { displayName: name }),
    providerType: 'openrouter' as const,
    local: false,
  }));
  const local: CatalogItem[] = ['llama3.2:3b', 'qwen2.5:7b'].map((id) => ({
    id,
    providerId: 'ollama',
    name: `ollama/${id}`,
    providerType: 'ollama',
    local: true,
    isFree: true,
    pricing: { prompt: 0, completion: 0 },
  }));
  return [...remote, ...local];
}

const names = (items: CatalogItem[]) => items.map((item) => item.name);

describe('catalog filters', () => {
  const items = catalog();

  it('lists free models first by default, keeping the providers’ order otherwise', () => {
    const sorted = filterCatalog(items, {});
    const firstPaid = sorted.findIndex((item) => !item.isFree);
    expect(firstPaid).toBeGreaterThan(5);
    expect(sorted.slice(firstPaid).every((item) => !item.isFree)).toBe(true);
    expect(sorted[0]?.name).toBe('openrouter/meta-llama/llama-3.3-70b-instruct:free');
  });

  it('separates free from paid: :free variants and zero-priced models are free, unknown prices are not', () => {
    const free = names(filterCatalog(items, { free: true, local: false }));
    expect(free).toContain('openrouter/meta-llama/llama-3.1-8b-instruct:free');
    expect(free).toContain('openrouter/agentica-org/deepcoder-14b-preview');
    expect(free).not.toContain('openrouter/openrouter/auto');
    expect(free).not.toContain('openrouter/undi95/remm-slerp-l2-13b');
    const paid = names(filterCatalog(items, { free: false }));
    expect(paid).toContain('openrouter/openai/gpt-4o-mini');
    expect(paid).not.toContain('ollama/llama3.2:3b');
    expect(free.length + paid.length).toBe(items.length - 2);
  });

  it('filters by provider id, provider type or publisher', () => {
    expect(names(filterCatalog(items, { provider: 'ollama' }))).toEqual([
      'ollama/llama3.2:3b',
      'ollama/qwen2.5:7b',
    ]);
    const meta = filterCatalog(items, { provider: 'meta-llama' });
    expect(meta.length).toBe(6);
    expect(meta.every((item) => item.id.startsWith('meta-llama/'))).toBe(true);
  });

  it('finds image models by modality, in or out', () => {
    const vision = names(filterCatalog(items, { modality: 'image', free: true }));
    expect(vision).toEqual(
      expect.arrayContaining([
        'openrouter/meta-llama/llama-3.2-11b-vision-instruct:free',
        'openrouter/google/gemma-3-27b-it:free',
        'openrouter/qwen/qwen2.5-vl-32b-instruct:free',
      ]),
    );
    expect(vision).not.toContain('openrouter/meta-llama/llama-3.1-8b-instruct:free');
    const painters = names(filterCatalog(items, { modality: 'IMAGE', free: false }));
    expect(painters).toContain('openrouter/google/gemini-2.5-flash-image-preview');
  });

  it('filters by context and by price per million tokens, leaving out unknown prices', () => {
    const long = filterCatalog(items, { minContext: 1_000_000 });
    expect(names(long).sort()).toEqual([
      'openrouter/google/gemini-2.0-flash-exp:free',
      'openrouter/google/gemini-2.5-flash',
      'openrouter/openai/gpt-4.1-nano',
      'openrouter/openrouter/auto',
    ]);
    const cheap = filterCatalog(items, { maxPrice: 0.4, free: false });
    expect(names(cheap)).toContain('openrouter/openai/gpt-4.1-nano');
    expect(names(cheap)).not.toContain('openrouter/openai/gpt-4o-mini');
    expect(names(cheap)).not.toContain('openrouter/openrouter/auto');
    expect(names(cheap)).not.toContain('openrouter/undi95/remm-slerp-l2-13b');
  });

  it('requires parameters, with json meaning JSON mode or structured outputs', () => {
    const jsonAndTools = names(filterCatalog(items, { requires: ['tools', 'json'] }));
    expect(jsonAndTools).toContain('openrouter/openai/gpt-4o-mini');
    expect(jsonAndTools).not.toContain('openrouter/anthropic/claude-3.5-haiku');
    expect(jsonAndTools.some((name) => name.endsWith(':free'))).toBe(false);
    const tools = names(filterCatalog(items, { free: true, requires: ['tools'] }));
    expect(tools).toEqual([
      'openrouter/meta-llama/llama-3.3-70b-instruct:free',
      'openrouter/google/gemini-2.0-flash-exp:free',
      'openrouter/mistralai/mistral-7b-instruct:free',
      'openrouter/deepseek/deepseek-chat-v3-0324:free',
    ]);
    const json = names(filterCatalog(items, { free: true, requires: ['json'] }));
    expect(json).toContain('openrouter/google/gemma-3-27b-it:free');
    // Local models that do not say what they support do not pass a requirement.
    expect(names(filterCatalog(items, { local: true, requires: ['tools'] }))).toEqual([]);
  });

  it('searches every word in name, display name and description', () => {
    expect(names(filterCatalog(items, { search: 'storytelling prose' }))).toEqual([
      'openrouter/thedrummer/rocinante-12b',
    ]);
    expect(names(filterCatalog(items, { search: 'LLAMA 3.1 8b' }))).toEqual([
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
      'openrouter/meta-llama/llama-3.1-8b-instruct',
    ]);
  });

  it('sorts by price, context and newest, unknown values last', () => {
    const byPrice = filterCatalog(items, { sort: 'price', free: false });
    const prices = byPrice.map((item) =>
      item.pricing?.prompt === undefined || item.pricing.completion === undefined
        ? Number.POSITIVE_INFINITY
        : item.pricing.prompt + item.pricing.completion,
    );
    expect(prices).toEqual([...prices].sort((left, right) => left - right));
    expect(byPrice.at(-1)?.pricing?.prompt).toBeUndefined();

    const byContext = filterCatalog(items, { sort: 'context' });
    expect(byContext[0]?.name).toBe('openrouter/openrouter/auto');
    expect(byContext.at(-1)?.contextLength).toBeUndefined();

    const newest = filterCatalog(items, { sort: 'newest', local: false });
    expect(newest[0]?.name).toBe('openrouter/google/gemini-2.5-flash-image-preview');
  });

  it('leaves its input untouched', () => {
    const before = names(items);
    filterCatalog(items, { sort: 'name' });
    expect(names(items)).toEqual(before);
  });
});

describe('filtering by task', () => {
  const item = (name: string): CatalogItem => ({
    id: name,
    providerId: 'p',
    name: `p/${name}`,
    providerType: 'openrouter',
    local: false,
  });
  const items = [item('a'), item('b'), item('c'), item('d')];
  const scores = new Map([
    ['p/a', 0.4],
    ['p/b', 0.9],
    ['p/c', 0.7],
  ]);

  it('keeps only models suitable for the task, above a benchmark score, best first', () => {
    const suitableFor = new Set(['p/a', 'p/b', 'p/d']);
    expect(filterCatalog(items, { suitableFor }).map((model) => model.name)).toEqual([
      'p/a',
      'p/b',
      'p/d',
    ]);
    expect(filterCatalog(items, { scores, minScore: 0.5 }).map((model) => model.name)).toEqual([
      'p/b',
      'p/c',
    ]);
    expect(filterCatalog(items, { scores, sort: 'score' }).map((model) => model.name)).toEqual([
      'p/b',
      'p/c',
      'p/a',
      'p/d',
    ]);
  });
});
