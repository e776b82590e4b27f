/**
 * Catalog filters and sorting: pure functions over catalog items, shared by the CLI,
 * the REST API and TTA's compatibility routes.
 */
import type { ModelCard, ProviderType } from '../spec/index.js';

/** One model as the catalog shows it: its card, addressed the way clients name it. */
export interface CatalogItem extends Omit<ModelCard, 'name'> {
  /** `<providerId>/<modelId>`: what clients send as `model`. */
  name: string;
  /** The provider's human-readable name for it, when it has one. */
  displayName?: string;
  /** Type of the provider that serves it. */
  providerType: ProviderType;
  /** True when it runs on this machine. */
  local: boolean;
}

/** How a catalog listing is ordered. `default`: free models first, then as the providers list them. */
export type CatalogSort = 'default' | 'name' | 'price' | 'context' | 'newest' | 'score';

/** Every sort order, for validation and help texts. */
export const catalogSorts: readonly CatalogSort[] = [
  'default',
  'name',
  'price',
  'context',
  'newest',
  'score',
];

/** What to show. Every field is optional; an empty filter shows everything. */
export interface CatalogFilter {
  /** True: free models only. False: paid (or unpriced) models only. */
  free?: boolean;
  /** A provider id (`openrouter`), a provider type (`ollama`) or a publisher (`meta-llama`). */
  provider?: string;
  /** A modality the model reads or writes, e.g. `image`. */
  modality?: string;
  /** Smallest context window, in tokens. */
  minContext?: number;
  /** Highest price in USD per million tokens, for prompt and completion alike. */
  maxPrice?: number;
  /** Parameters the model must support: names (`tools`, `seed`) or `json` (JSON mode or structured outputs). */
  requires?: readonly string[];
  /** Words that must all appear in the name, id or description. */
  search?: string;
  /** True: local models only. False: remote ones only. */
  local?: boolean;
  /** Order. */
  sort?: CatalogSort;
  /** Only these models: those task-aware selection finds suitable for a task (see `selection/`). */
  suitableFor?: ReadonlySet<string>;
  /** Benchmark quality (0–1) per model name, for `minScore` and the `score` sort. */
  scores?: ReadonlyMap<string, number>;
  /** Lowest benchmark quality (0–1); models never benchmarked are left out. */
  minScore?: number;
}

/** Parameter names that satisfy a requirement, where the requirement is an alias. */
const parameterAliases: Record<string, readonly string[]> = {
  json: ['response_format', 'structured_outputs'],
  tools: ['tools'],
  reasoning: ['reasoning', 'include_reasoning'],
};

/** The items the filter lets through, in the order it asks for. The input is not changed. */
export function filterCatalog(items: readonly CatalogItem[], filter: CatalogFilter): CatalogItem[] {
  const matches = items.filter((item) => matchesFilter(item, filter));
  return sortCatalog(matches, filter.sort ?? 'default', filter.scores);
}

/** True when the item passes every condition of the filter. */
export function matchesFilter(item: CatalogItem, filter: CatalogFilter): boolean {
  if (filter.free !== undefined && (item.isFree === true) !== filter.free) return false;
  if (filter.local !== undefined && item.local !== filter.local) return false;
  if (filter.provider !== undefined && !matchesProvider(item, filter.provider)) return false;
  if (filter.modality !== undefined) {
    const wanted = filter.modality.toLowerCase();
    const modalities = [...(item.inputModalities ?? []), ...(item.outputModalities ?? [])];
    if (!modalities.some((modality) => modality.toLowerCase() === wanted)) return false;
  }
  if (filter.minContext !== undefined && (item.contextLength ?? 0) < filter.minContext)
    return false;
  if (filter.maxPrice !== undefined) {
    const highest = highestTokenPrice(item);
    if (highest === undefined || highest * 1_000_000 > filter.maxPrice + 1e-12) return false;
  }
  for (const requirement of filter.requires ?? []) {
    if (!supports(item, requirement)) return false;
  }
  if (filter.search !== undefined && !matchesSearch(item, filter.search)) return false;
  if (filter.suitableFor !== undefined && !filter.suitableFor.has(item.name)) return false;
  if (filter.minScore !== undefined && (filter.scores?.get(item.name) ?? -1) < filter.minScore)
    return false;
  return true;
}

/** True when the model says it supports the parameter (or one its alias stands for). */
export function supports(item: CatalogItem, requirement: string): boolean {
  const wanted = requirement.toLowerCase();
  const accepted = parameterAliases[wanted] ?? [wanted];
  return (item.supportedParameters ?? []).some((parameter) =>
    accepted.includes(parameter.toLowerCase()),
  );
}

/** The higher of the prompt and completion price per token; undefined when either is unknown. */
export function highestTokenPrice(item: Pick<ModelCard, 'pricing'>): number | undefined {
  const prompt = item.pricing?.prompt;
  const completion = item.pricing?.completion;
  if (prompt === undefined || completion === undefined) return undefined;
  return Math.max(prompt, completion);
}

/** Sorts a copy of the items. Unknown values sort last; ties keep the providers' order. */
export function sortCatalog(
  items: readonly CatalogItem[],
  sort: CatalogSort,
  scores?: ReadonlyMap<string, number>,
): CatalogItem[] {
  const ranked = items.map((item, index) => ({ item, index }));
  const key = sortKey(sort, scores);
  ranked.sort((left, right) => {
    const order = compareKeys(key(left.item), key(right.item));
    return order !== 0 ? order : left.index - right.index;
  });
  return ranked.map(({ item }) => item);
}

type SortValue = number | string | undefined;

function sortKey(
  sort: CatalogSort,
  scores?: ReadonlyMap<string, number>,
): (item: CatalogItem) => SortValue {
  switch (sort) {
    case 'score':
      // Best first; never benchmarked last.
      return (item) => {
        const score = scores?.get(item.name);
        return score === undefined ? undefined : -score;
      };
    case 'name':
      return (item) => item.name.toLowerCase();
    case 'price':
      return (item) => {
        const prompt = item.pricing?.prompt;
        const completion = item.pricing?.completion;
        return prompt === undefined || completion === undefined ? undefined : prompt + completion;
      };
    case 'context':
      // Largest first: negate, so "ascending" puts it on top.
      return (item) => (item.contextLength === undefined ? undefined : -item.contextLength);
    case 'newest':
      return (item) => (item.created === undefined ? undefined : -item.created);
    case 'default':
      return (item) => (item.isFree ? 0 : 1);
  }
}

function compareKeys(left: SortValue, right: SortValue): number {
  if (left === right) return 0;
  if (left === undefined) return 1;
  if (right === undefined) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

function matchesProvider(item: CatalogItem, provider: string): boolean {
  const wanted = provider.toLowerCase();
  return (
    item.providerId.toLowerCase() === wanted ||
    item.providerType === wanted ||
    item.ownedBy?.toLowerCase() === wanted
  );
}

function matchesSearch(item: CatalogItem, search: string): boolean {
  const haystack = [item.name, item.displayName ?? '', item.description ?? '']
    .join('\n')
    .toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .every((word) => haystack.includes(word));
}
