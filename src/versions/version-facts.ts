/**
 * What identifies one version of a model, per provider: OpenRouter's canonical slug and
 * creation time plus a fingerprint of the card; an Ollama digest; a GGUF file's sha256;
 * the `model` a custom provider's answers report. Pure functions.
 */
import { createHash } from 'node:crypto';
import type { ModelCard } from '../spec/model-card.js';
import type { VersionFacts } from '../spec/model-version.js';

/** The card facts every identity keeps beside it, for change summaries and compatibility. */
function cardFacts(card: ModelCard): Omit<VersionFacts, 'source'> {
  const facts: Omit<VersionFacts, 'source'> = {};
  if (card.contextLength !== undefined) facts.contextLength = card.contextLength;
  if (card.maxOutputTokens !== undefined) facts.maxOutputTokens = card.maxOutputTokens;
  if (card.pricing !== undefined) facts.pricing = { ...card.pricing };
  if (card.supportedParameters !== undefined)
    facts.supportedParameters = [...card.supportedParameters].sort();
  if (card.inputModalities !== undefined) facts.inputModalities = [...card.inputModalities].sort();
  if (card.outputModalities !== undefined)
    facts.outputModalities = [...card.outputModalities].sort();
  if (card.ownedBy !== undefined) facts.family = card.ownedBy;
  if (card.parameterCount !== undefined) facts.parameterCount = card.parameterCount;
  if (card.quantisation !== undefined) facts.quantisation = card.quantisation;
  if (card.size !== undefined) facts.size = card.size;
  if (card.expiresAt !== undefined) facts.expiresAt = card.expiresAt;
  return facts;
}

/**
 * A short hash of what a card promises: prices, context, output limit, supported
 * parameters and modalities. The expiration date is not part of it: a model marked for
 * retirement is the same version, and gets a deprecation notice instead.
 */
export function cardFingerprint(facts: Omit<VersionFacts, 'source'>): string {
  const promised = {
    pricing: facts.pricing ?? null,
    contextLength: facts.contextLength ?? null,
    maxOutputTokens: facts.maxOutputTokens ?? null,
    supportedParameters: facts.supportedParameters ?? null,
    inputModalities: facts.inputModalities ?? null,
    outputModalities: facts.outputModalities ?? null,
  };
  return sha256(canonicalJson(promised)).slice(0, 12);
}

/** An OpenRouter entry's version: `canonical_slug`, `created` and the card's fingerprint. */
export function openRouterFacts(card: ModelCard, raw: unknown): VersionFacts {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const facts: VersionFacts = { source: 'openrouter', ...cardFacts(card) };
  const slug = entry.canonical_slug;
  facts.canonicalSlug = typeof slug === 'string' && slug !== '' ? slug : card.id;
  if (card.created !== undefined) facts.created = card.created;
  facts.cardFingerprint = cardFingerprint(facts);
  return facts;
}

/** An Ollama tag's version: its digest. Undefined when the listing gave none. */
export function ollamaFacts(card: ModelCard, raw: unknown): VersionFacts | undefined {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const digest = entry.digest;
  if (typeof digest !== 'string' || digest === '') return undefined;
  const facts: VersionFacts = { source: 'ollama', ...cardFacts(card), digest };
  // Ollama's "created" is the pull time: it says nothing of the weights.
  delete facts.pricing;
  return facts;
}

/** A GGUF file's version: its sha256, with its size and time (to know when to hash again). */
export function ggufFacts(file: {
  sha256: string;
  fileBytes: number;
  fileModifiedAt: number;
  family?: string;
  parameterCount?: number;
  quantisation?: string;
  contextLength?: number;
}): VersionFacts {
  const facts: VersionFacts = {
    source: 'gguf',
    sha256: file.sha256,
    fileBytes: file.fileBytes,
    fileModifiedAt: Math.round(file.fileModifiedAt),
    size: file.fileBytes,
  };
  if (file.family !== undefined) facts.family = file.family;
  if (file.parameterCount !== undefined) facts.parameterCount = file.parameterCount;
  if (file.quantisation !== undefined) facts.quantisation = file.quantisation;
  if (file.contextLength !== undefined) facts.contextLength = file.contextLength;
  return facts;
}

/** A custom provider's version: the model its answers report, with what its listing says. */
export function reportedFacts(reportedModel: string, card?: ModelCard): VersionFacts {
  return { source: 'reported', ...(card ? cardFacts(card) : {}), reportedModel };
}

/** The identity as one string: two versions of a model are the same when their keys are. */
export function versionKey(facts: VersionFacts): string {
  switch (facts.source) {
    case 'openrouter':
      return `openrouter:${facts.canonicalSlug ?? ''}@${facts.created ?? 0}#${facts.cardFingerprint ?? ''}`;
    case 'ollama':
      return `ollama:${facts.digest ?? ''}`;
    case 'gguf':
      return `sha256:${facts.sha256 ?? ''}`;
    case 'reported':
      return `reported:${facts.reportedModel ?? ''}`;
  }
}

/** The identity as a person reads it, e.g. `meta-llama/llama-3.1-8b-instruct (2024-07-23) card 3f2a9c1b`. */
export function versionLabel(facts: VersionFacts): string {
  switch (facts.source) {
    case 'openrouter': {
      const day = facts.created === undefined ? '' : ` (${isoDay(facts.created * 1000)})`;
      return `${facts.canonicalSlug ?? '?'}${day} card ${(facts.cardFingerprint ?? '').slice(0, 8)}`;
    }
    case 'ollama':
      return `digest ${shortDigest(facts.digest ?? '')}`;
    case 'gguf':
      return `sha256 ${(facts.sha256 ?? '').slice(0, 12)}`;
    case 'reported':
      return `reports "${facts.reportedModel ?? ''}"`;
  }
}

/** The id of a model's version: deterministic, so every process names a version alike. */
export function versionIdFor(model: string, key: string): string {
  return `ver_${sha256(`${model}\u0000${key}`).slice(0, 16)}`;
}

/** `sha256:6a0746a1ec1a…` as `6a0746a1ec1a`. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `YYYY-MM-DD` of an epoch-milliseconds time, UTC. */
export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
