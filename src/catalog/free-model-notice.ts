/**
 * What to tell someone who picks a free remote model: its limits, that it may be slow,
 * busy or retired, and the nearest alternatives — its paid variant, paid models of a
 * similar size, and local models. Pure: the catalog and the limits are passed in.
 */
import type { ModelPricing } from '../spec/model-card.js';
import type { CatalogItem } from './filter-catalog.js';
import type { FreeModelLimits } from './free-model-limits.js';
import { freeVariantSuffix } from './openrouter-models.js';

/** One suggested alternative. */
export interface ModelAlternative {
  /** `<providerId>/<modelId>`. */
  name: string;
  /** Why it is suggested. */
  reason: string;
  /** True when it runs on this machine. */
  local: boolean;
  /** Its prices, when known. */
  pricing?: ModelPricing;
}

/** The warning shown when a free remote model is chosen. */
export interface FreeModelNotice {
  /** `<providerId>/<modelId>` of the free model. */
  model: string;
  /** Its rate limits, when the provider publishes them (OpenRouter). */
  limits?: FreeModelLimits;
  /** What to expect, in sentences, alternatives named at the end. */
  warning: string;
  /** The same without the alternatives, for when they are listed apart. */
  caution: string;
  /** The nearest alternatives, best first. */
  alternatives: ModelAlternative[];
}

/** How many alternatives of each kind are suggested. */
const perKind = 2;

/**
 * The notice for a model, or undefined when none is due (a paid or local model). `limits`
 * are the provider's free-model limits, when it has published ones.
 */
export function freeModelNotice(
  model: CatalogItem,
  catalog: readonly CatalogItem[],
  limits: FreeModelLimits | undefined,
): FreeModelNotice | undefined {
  if (!model.isFree || model.local) return undefined;
  const sentences = [
    limits === undefined
      ? `${model.name} is free, so its provider may limit how often it can be called`
      : `${model.name} is free: ${limits.summary}`,
    'Free models are shared by many people: they can be slow, busy (429) or briefly unavailable, and the provider may retire them without notice',
  ];
  if (model.expiresAt !== undefined)
    sentences.push(`The provider says it may be removed after ${model.expiresAt}`);
  const caution = `${sentences.join('. ')}.`;
  const alternatives = nearestAlternatives(model, catalog);
  const named = alternatives.map((alternative) => alternative.name).join(', ');
  return {
    model: model.name,
    ...(limits === undefined ? {} : { limits }),
    warning: alternatives.length > 0 ? `${caution} Alternatives: ${named}.` : caution,
    caution,
    alternatives,
  };
}

/** The paid variant, paid models of a similar size, then local models; best first. */
export function nearestAlternatives(
  model: CatalogItem,
  catalog: readonly CatalogItem[],
): ModelAlternative[] {
  const chosen: ModelAlternative[] = [];
  const taken = new Set([model.name]);
  const add = (item: CatalogItem, reason: string): void => {
    taken.add(item.name);
    chosen.push({
      name: item.name,
      reason,
      local: item.local,
      ...(item.pricing === undefined ? {} : { pricing: item.pricing }),
    });
  };

  const paidId = model.id.endsWith(freeVariantSuffix)
    ? model.id.slice(0, -freeVariantSuffix.length)
    : undefined;
  const paidVariant = catalog.find(
    (item) => item.providerId === model.providerId && item.id === paidId && !item.isFree,
  );
  if (paidVariant) add(paidVariant, 'the same model without free-tier limits');

  const writesText = (item: CatalogItem) =>
    item.outputModalities === undefined || item.outputModalities.includes('text');
  const paid = catalog.filter(
    (item) =>
      !taken.has(item.name) &&
      !item.isFree &&
      !item.local &&
      writesText(item) &&
      item.pricing?.prompt !== undefined,
  );
  const size = parameterCountOf(model);
  for (const item of rankBySimilarity(model, paid).slice(0, perKind)) {
    const other = parameterCountOf(item);
    add(
      item,
      size !== undefined && other !== undefined
        ? `a paid model of a similar size (${formatParameters(other)} parameters)`
        : 'a paid model with a similar context window',
    );
  }

  const local = catalog.filter((item) => !taken.has(item.name) && item.local && writesText(item));
  for (const item of rankBySimilarity(model, local).slice(0, perKind))
    add(item, 'runs on this machine: no limits, no cost, nothing leaves it');
  return chosen;
}

/** Closest in parameter count (else in context length) first; cheaper first among equals. */
function rankBySimilarity(model: CatalogItem, candidates: CatalogItem[]): CatalogItem[] {
  const size = parameterCountOf(model);
  const distance = (item: CatalogItem): number => {
    const other = parameterCountOf(item);
    if (size !== undefined && other !== undefined) return Math.abs(Math.log(other / size));
    if (model.contextLength !== undefined && item.contextLength !== undefined)
      return 1 + Math.abs(Math.log(item.contextLength / model.contextLength));
    return 10;
  };
  const price = (item: CatalogItem) =>
    (item.pricing?.prompt ?? Number.POSITIVE_INFINITY) + (item.pricing?.completion ?? 0);
  return candidates
    .map((item) => ({ item, distance: distance(item), price: price(item) }))
    .sort((left, right) => left.distance - right.distance || left.price - right.price)
    .map(({ item }) => item);
}

/** A model's parameter count: from its card, else read from a name like `llama-3.1-8b-instruct`. */
export function parameterCountOf(
  item: Pick<CatalogItem, 'id' | 'parameterCount'>,
): number | undefined {
  if (item.parameterCount !== undefined) return item.parameterCount;
  const match = /(?:^|[-_/:])(\d+(?:\.\d+)?)b(?=$|[-_:.])/i.exec(item.id);
  return match ? Number(match[1]) * 1e9 : undefined;
}

/** `8B`, `0.5B`, `405B`. */
function formatParameters(count: number): string {
  const billions = count / 1e9;
  return `${billions >= 10 ? Math.round(billions) : Number(billions.toFixed(1))}B`;
}
