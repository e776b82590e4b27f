import type { ModelPricing, Usage } from '../spec/index.js';

/**
 * The cost of a call in USD: what the upstream reported (OpenRouter's `usage.cost`),
 * else tokens times the catalog's prices, else null when neither is known.
 */
export function estimateCost(
  usage: Usage | undefined,
  pricing: ModelPricing | undefined,
): number | null {
  if (usage?.cost !== undefined && Number.isFinite(usage.cost)) return usage.cost;
  if (!usage || !pricing) return null;
  if (
    pricing.prompt === undefined &&
    pricing.completion === undefined &&
    pricing.request === undefined
  )
    return null;
  return (
    usage.prompt_tokens * (pricing.prompt ?? 0) +
    usage.completion_tokens * (pricing.completion ?? 0) +
    (pricing.request ?? 0)
  );
}
