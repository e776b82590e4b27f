/**
 * Ollama's native `GET /api/tags` read into model cards with what a local model's card
 * needs: file size, quantisation and parameter count. Local models cost nothing per token.
 */
import type { ModelCard } from '../spec/model-card.js';
import { CatalogFormatError, type ParsedCatalog } from './openrouter-models.js';

/** Reads Ollama's tag list. Throws `CatalogFormatError` when it has no `models` array. */
export function parseOllamaTags(body: unknown, providerId: string): ParsedCatalog {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) {
    throw new CatalogFormatError(
      'the tag list has no "models" array; is the baseUrl an Ollama server (e.g. http://127.0.0.1:11434)?',
    );
  }
  const parsed: ParsedCatalog = { entries: [], skipped: [] };
  models.forEach((entry: unknown, index) => {
    const tag = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    const id = typeof tag.model === 'string' ? tag.model : tag.name;
    if (typeof id !== 'string' || id === '') {
      parsed.skipped.push({ index, reason: 'no model name' });
      return;
    }
    parsed.entries.push({ card: ollamaCard(id, tag, providerId), raw: entry });
  });
  return parsed;
}

function ollamaCard(id: string, tag: Record<string, unknown>, providerId: string): ModelCard {
  const card: ModelCard = {
    id,
    providerId,
    name: id,
    pricing: { prompt: 0, completion: 0 },
    isFree: true,
  };
  const details = (
    typeof tag.details === 'object' && tag.details !== null ? tag.details : {}
  ) as Record<string, unknown>;
  if (typeof details.family === 'string' && details.family !== '') card.ownedBy = details.family;
  const modified = typeof tag.modified_at === 'string' ? Date.parse(tag.modified_at) : Number.NaN;
  if (!Number.isNaN(modified)) card.created = Math.floor(modified / 1000);
  if (typeof tag.size === 'number' && tag.size > 0) card.size = tag.size;
  if (typeof details.quantization_level === 'string' && details.quantization_level !== '')
    card.quantisation = details.quantization_level;
  const parameterCount = parseParameterCount(details.parameter_size);
  if (parameterCount !== undefined) card.parameterCount = parameterCount;
  return card;
}

const scale: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** `8.0B` → 8e9, `494.03M` → 494.03e6; undefined when it does not read as a count. */
export function parseParameterCount(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*$/i.exec(value);
  if (!match) return undefined;
  const multiplier = scale[(match[2] ?? '').toUpperCase()];
  return multiplier === undefined ? undefined : Math.round(Number(match[1]) * multiplier);
}
