/**
 * Where to move the routes of a model that retires: the catalog model most like it — same
 * publisher and size, similar price and context, no capability lost, not retiring itself —
 * with benchmark quality counted when there is one. Pure functions.
 */
import type { CatalogItem } from '../catalog/filter-catalog.js';
import type { VersionFacts } from '../spec/model-version.js';
import { capabilityLosses, formatTokens, formatUsd } from './change-summary.js';

/** The model that retires, as far as it is known. */
export interface RetiringModel {
  /** Public model name. */
  name: string;
  /** Configured provider id. */
  providerId: string;
  /** Its last known facts (from the catalog, or its last version). */
  facts: Omit<VersionFacts, 'source'>;
  /** Whether it was free. */
  isFree?: boolean;
}

/** A suggested migration target and why. */
export interface MigrationSuggestion {
  /** Public model name of the target. */
  model: string;
  /** Why it was chosen, in words. */
  reasons: string[];
  /** The benchmark quality (0–1) counted, when there was one. */
  quality?: number;
}

/** Options of {@link suggestMigrationTarget}. */
export interface SuggestOptions {
  /** Models never to suggest (the retiring ones). */
  exclude?: ReadonlySet<string>;
  /** Benchmark quality of a model, 0–1, when benchmarks exist. */
  quality?: (model: string) => number | undefined;
  /** Today, epoch milliseconds (to skip candidates that retire soon themselves). */
  now: number;
  /** Candidates retiring within this many days are skipped (default 30). */
  horizonDays?: number;
}

/** The best target for `retiring` among `catalog`, or undefined when nothing fits. */
export function suggestMigrationTarget(
  retiring: RetiringModel,
  catalog: readonly CatalogItem[],
  options: SuggestOptions,
): MigrationSuggestion | undefined {
  const horizonMs = (options.horizonDays ?? 30) * 86_400_000;
  const baseId = stripVariant(retiring.name);
  const size = retiring.facts.parameterCount ?? sizeFromName(retiring.name);
  let best: { item: CatalogItem; score: number; reasons: string[]; quality?: number } | undefined;

  for (const item of catalog) {
    if (item.name === retiring.name || options.exclude?.has(item.name)) continue;
    if (item.expiresAt !== undefined && Date.parse(item.expiresAt) - options.now < horizonMs)
      continue;
    if (item.outputModalities !== undefined && !item.outputModalities.includes('text')) continue;
    const facts = itemFacts(item);
    if (
      capabilityLosses(retiring.facts, facts).filter((loss) => !loss.startsWith('context')).length >
      0
    )
      continue;

    const reasons: string[] = [];
    let score = 0;
    if (stripVariant(item.name) === baseId) {
      score += 6;
      reasons.push(
        item.isFree ? 'the free variant of the same model' : 'the paid variant of the same model',
      );
    }
    if (item.providerId === retiring.providerId) score += 1;
    if (retiring.facts.family !== undefined && item.ownedBy === retiring.facts.family) {
      score += 3;
      reasons.push(`same family (${item.ownedBy})`);
    }
    const itemSize = item.parameterCount ?? sizeFromName(item.name);
    if (size !== undefined && itemSize !== undefined) {
      const distance = Math.abs(Math.log2(itemSize / size));
      score += Math.max(0, 2 - distance);
      if (distance <= 1) reasons.push('similar size');
    }
    const oldContext = retiring.facts.contextLength;
    if (oldContext !== undefined && item.contextLength !== undefined) {
      if (item.contextLength >= oldContext) {
        score += 1;
        reasons.push(`context ${formatTokens(item.contextLength)} ≥ ${formatTokens(oldContext)}`);
      } else {
        score -= Math.min(3, Math.log2(oldContext / item.contextLength));
      }
    }
    const oldPrice = blendedPrice(retiring.facts.pricing);
    const newPrice = blendedPrice(item.pricing);
    if (oldPrice !== undefined && newPrice !== undefined) {
      const ratio = (newPrice + 1e-9) / (oldPrice + 1e-9);
      score += Math.max(-2, 1 - Math.abs(Math.log10(ratio)));
      if (Math.abs(Math.log10(ratio)) <= 0.5)
        reasons.push(
          `similar price (${formatUsd(item.pricing?.prompt ?? 0, true)} vs ${formatUsd(retiring.facts.pricing?.prompt ?? 0, true)} per M prompt)`,
        );
    }
    if (retiring.isFree !== undefined && item.isFree === retiring.isFree) score += 0.5;
    const quality = options.quality?.(item.name);
    if (quality !== undefined) {
      score += quality * 3;
      reasons.push(`benchmark quality ${quality.toFixed(2)}`);
    }
    if (best === undefined || score > best.score)
      best = { item, score, reasons, ...(quality === undefined ? {} : { quality }) };
  }
  if (best === undefined) return undefined;
  return {
    model: best.item.name,
    reasons: best.reasons.length > 0 ? best.reasons : ['the closest model the catalog offers'],
    ...(best.quality === undefined ? {} : { quality: best.quality }),
  };
}

/** A catalog item's facts, in the shape capability checks compare. */
export function itemFacts(item: CatalogItem): Omit<VersionFacts, 'source'> {
  return {
    ...(item.contextLength === undefined ? {} : { contextLength: item.contextLength }),
    ...(item.maxOutputTokens === undefined ? {} : { maxOutputTokens: item.maxOutputTokens }),
    ...(item.pricing === undefined ? {} : { pricing: item.pricing }),
    ...(item.supportedParameters === undefined
      ? {}
      : { supportedParameters: item.supportedParameters }),
    ...(item.inputModalities === undefined ? {} : { inputModalities: item.inputModalities }),
    ...(item.outputModalities === undefined ? {} : { outputModalities: item.outputModalities }),
    ...(item.ownedBy === undefined ? {} : { family: item.ownedBy }),
    ...(item.parameterCount === undefined ? {} : { parameterCount: item.parameterCount }),
  };
}

/** `openrouter/meta-llama/llama-3.3-70b-instruct:free` → `openrouter/meta-llama/llama-3.3-70b-instruct`. */
function stripVariant(name: string): string {
  return name.replace(/:[a-z0-9-]+$/i, '');
}

/** `…llama-3.1-8b-instruct` → 8e9, `…mistral-7b` → 7e9; undefined when the name says no size. */
export function sizeFromName(name: string): number | undefined {
  const match = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])/i.exec(
    name.split('/').pop() ?? name,
  );
  if (!match) return undefined;
  return Number(match[1]) * ((match[2] ?? '').toLowerCase() === 'b' ? 1e9 : 1e6);
}

/** One price to compare: three parts prompt to one part completion, per token. */
function blendedPrice(pricing: VersionFacts['pricing']): number | undefined {
  if (pricing?.prompt === undefined && pricing?.completion === undefined) return undefined;
  return ((pricing?.prompt ?? 0) * 3 + (pricing?.completion ?? 0)) / 4;
}
