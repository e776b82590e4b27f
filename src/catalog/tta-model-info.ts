/**
 * Catalog items in the shape TTA's model-management UI already reads from its
 * `/api/v1/models/*` routes, so that UI works unchanged against tta-models.
 */
import type { CatalogItem } from './filter-catalog.js';

/** One model as TTA's `ModelInfo` serialises it. */
export interface TtaModelInfo {
  /** `<providerId>/<modelId>`: the name to send to tta-models' `/v1` as `model`. */
  model_id: string;
  /** Display name (the id when the provider gives none). */
  name: string;
  /** `openrouter`, `local` or `custom_api`, as TTA's `ProviderType`. */
  provider_type: string;
  /** The same value under the name TTA's older endpoints used. */
  provider: string;
  /** The provider's description, or an empty string. */
  description: string;
  /** Context window in tokens, or null. */
  context_length: number | null;
  /** USD per prompt token, 0 for free models, null when unknown. */
  cost_per_token: number | null;
  /** True for free models. */
  is_free: boolean;
  /** `chat`, `tools`, `json`, `vision`, `reasoning`, `image_generation`. */
  capabilities: string[];
  /** From therapeutic benchmarks; null until the model was benchmarked. */
  therapeutic_safety_score: number | null;
  /** From performance benchmarks; null until the model was benchmarked. */
  performance_score: number | null;
}

/** TTA's provider type for a catalog item. */
export function ttaProviderType(item: Pick<CatalogItem, 'providerType' | 'local'>): string {
  if (item.providerType === 'openrouter') return 'openrouter';
  return item.local ? 'local' : 'custom_api';
}

/** What a model can do, in TTA's capability words. */
export function ttaCapabilities(item: CatalogItem): string[] {
  const parameters = new Set(item.supportedParameters ?? []);
  const capabilities: string[] = [];
  if (item.outputModalities === undefined || item.outputModalities.includes('text'))
    capabilities.push('chat');
  if (parameters.has('tools')) capabilities.push('tools');
  if (parameters.has('response_format') || parameters.has('structured_outputs'))
    capabilities.push('json');
  if (item.inputModalities?.includes('image')) capabilities.push('vision');
  if (parameters.has('reasoning') || parameters.has('include_reasoning'))
    capabilities.push('reasoning');
  if (item.outputModalities?.includes('image')) capabilities.push('image_generation');
  return capabilities;
}

/** A catalog item as TTA's `ModelInfo`. Scores stay null until benchmarks exist. */
export function toTtaModelInfo(item: CatalogItem): TtaModelInfo {
  const providerType = ttaProviderType(item);
  return {
    model_id: item.name,
    name: item.displayName ?? item.id,
    provider_type: providerType,
    provider: providerType,
    description: item.description ?? '',
    context_length: item.contextLength ?? null,
    cost_per_token: item.isFree ? 0 : (item.pricing?.prompt ?? null),
    is_free: item.isFree === true,
    capabilities: ttaCapabilities(item),
    therapeutic_safety_score: null,
    performance_score: null,
  };
}
