/**
 * OpenRouter's `GET /api/v1/models` read into model cards. Every field of the documented
 * schema stays in the entry kept beside the card (`raw`); the card holds what filters and
 * people read: name, description, context, output limit, modalities, prices as numbers,
 * free or not, supported parameters, creation and expiration dates.
 */
import type { ModelCard, ModelPricing } from '../spec/model-card.js';

/** An entry a download could not read, and why. */
export interface SkippedEntry {
  /** Its position in the download (0 first). */
  index: number;
  /** What was wrong with it. */
  reason: string;
}

/** A provider's download, read. */
export interface ParsedCatalog {
  /** Each readable model: its card and the provider's own entry. */
  entries: Array<{ card: ModelCard; raw: unknown }>;
  /** Entries that could not be read. */
  skipped: SkippedEntry[];
}

/** Thrown when a download is not a model list at all (truncated, garbage, an error page). */
export class CatalogFormatError extends Error {
  override name = 'CatalogFormatError';
}

/** OpenRouter's free variants end in `:free`. */
export const freeVariantSuffix = ':free';

/** Reads OpenRouter's model list. Throws `CatalogFormatError` when it has no `data` array. */
export function parseOpenRouterModels(body: unknown, providerId: string): ParsedCatalog {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new CatalogFormatError(
      'the model list has no "data" array; is the baseUrl an OpenRouter API (…/api/v1)?',
    );
  }
  const parsed: ParsedCatalog = { entries: [], skipped: [] };
  data.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      parsed.skipped.push({ index, reason: 'not an object' });
      return;
    }
    const card = openRouterCard(entry as Record<string, unknown>, providerId);
    if (card === undefined) parsed.skipped.push({ index, reason: 'no model id' });
    else parsed.entries.push({ card, raw: entry });
  });
  return parsed;
}

/** One OpenRouter entry as a card, or undefined when it has no id. */
export function openRouterCard(
  entry: Record<string, unknown>,
  providerId: string,
): ModelCard | undefined {
  const id = entry.id;
  if (typeof id !== 'string' || id.trim() === '') return undefined;
  const card: ModelCard = { id, providerId };
  const name = text(entry.name);
  if (name !== undefined) card.name = name;
  const slash = id.indexOf('/');
  if (slash > 0) card.ownedBy = id.slice(0, slash);
  const description = text(entry.description);
  if (description !== undefined) card.description = description;

  const topProvider = record(entry.top_provider);
  const contextLength = positive(entry.context_length) ?? positive(topProvider?.context_length);
  if (contextLength !== undefined) card.contextLength = contextLength;
  const maxOutputTokens = positive(topProvider?.max_completion_tokens);
  if (maxOutputTokens !== undefined) card.maxOutputTokens = maxOutputTokens;

  const architecture = record(entry.architecture);
  const [inputFromModality, outputFromModality] = splitModality(architecture?.modality);
  const inputModalities = strings(architecture?.input_modalities) ?? inputFromModality;
  const outputModalities = strings(architecture?.output_modalities) ?? outputFromModality;
  if (inputModalities !== undefined) card.inputModalities = inputModalities;
  if (outputModalities !== undefined) card.outputModalities = outputModalities;

  const pricing = readPricing(record(entry.pricing));
  if (pricing !== undefined) card.pricing = pricing;
  card.isFree = isFreeModel(id, pricing);

  const supportedParameters = strings(entry.supported_parameters);
  if (supportedParameters !== undefined) card.supportedParameters = supportedParameters;
  const created = positive(entry.created);
  if (created !== undefined) card.created = created;
  const expiresAt = text(entry.expiration_date);
  if (expiresAt !== undefined) card.expiresAt = expiresAt;
  return card;
}

/**
 * Free: OpenRouter's `:free` variant, or a zero prompt AND completion price with no
 * per-request price. Unknown prices are not free.
 */
export function isFreeModel(id: string, pricing: ModelPricing | undefined): boolean {
  if (id.endsWith(freeVariantSuffix)) return true;
  return (
    pricing?.prompt === 0 &&
    pricing.completion === 0 &&
    (pricing.request === undefined || pricing.request === 0)
  );
}

/** Prices as numbers. OpenRouter sends decimal strings; `-1` means "varies" and is left out. */
function readPricing(pricing: Record<string, unknown> | undefined): ModelPricing | undefined {
  if (pricing === undefined) return undefined;
  const read: ModelPricing = {};
  for (const field of ['prompt', 'completion', 'request', 'image'] as const) {
    const value = price(pricing[field]);
    if (value !== undefined) read[field] = value;
  }
  return Object.keys(read).length === 0 ? undefined : read;
}

function price(value: unknown): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** `text+image->text` as `[['text', 'image'], ['text']]`, for entries without the lists. */
function splitModality(modality: unknown): [string[] | undefined, string[] | undefined] {
  if (typeof modality !== 'string' || !modality.includes('->')) return [undefined, undefined];
  const [input = '', output = ''] = modality.split('->', 2);
  const list = (side: string) => {
    const items = side.split('+').filter((item) => item !== '');
    return items.length === 0 ? undefined : items;
  };
  return [list(input), list(output)];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.filter((item): item is string => typeof item === 'string');
  return items.length === 0 ? undefined : items;
}
