import { describe, expect, it } from 'vitest';
import { openRouterFixtureEntries } from '../../testkit/openrouter-fixture.js';
import { openRouterCard } from '../catalog/openrouter-models.js';
import {
  ollamaFacts,
  openRouterFacts,
  reportedFacts,
  versionIdFor,
  versionKey,
  versionLabel,
} from './version-facts.js';

function llama8b() {
  const entry = openRouterFixtureEntries().find(
    (candidate) => candidate.id === 'meta-llama/llama-3.1-8b-instruct',
  );
  if (!entry) throw new Error('fixture lacks meta-llama/llama-3.1-8b-instruct');
  return entry;
}

function factsOf(entry: Record<string, unknown>) {
  const card = openRouterCard(entry, 'openrouter');
  if (!card) throw new Error('no card');
  return openRouterFacts(card, entry);
}

describe('OpenRouter version identity', () => {
  it('is the canonical slug, the creation time and a fingerprint of the card', () => {
    const entry = llama8b();
    const facts = factsOf(entry);
    expect(facts.canonicalSlug).toBe(entry.canonical_slug);
    expect(facts.created).toBe(entry.created);
    expect(facts.cardFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(versionKey(facts)).toBe(
      `openrouter:${String(entry.canonical_slug)}@${String(entry.created)}#${facts.cardFingerprint}`,
    );
    expect(versionLabel(facts)).toContain(String(entry.canonical_slug));
  });

  it('changes with the price, the context or the parameters, not with the description or expiry', () => {
    const entry = llama8b();
    const base = versionKey(factsOf(entry));
    const pricing = { ...(entry.pricing as Record<string, string>), prompt: '0.0000002' };
    expect(versionKey(factsOf({ ...entry, pricing }))).not.toBe(base);
    expect(versionKey(factsOf({ ...entry, context_length: 65_536 }))).not.toBe(base);
    expect(
      versionKey(factsOf({ ...entry, supported_parameters: ['max_tokens', 'temperature'] })),
    ).not.toBe(base);
    expect(versionKey(factsOf({ ...entry, description: 'Reworded.' }))).toBe(base);
    expect(versionKey(factsOf({ ...entry, expiration_date: '2030-01-01' }))).toBe(base);
    // The order OpenRouter lists parameters in does not matter.
    const reversed = [...(entry.supported_parameters as string[])].reverse();
    expect(versionKey(factsOf({ ...entry, supported_parameters: reversed }))).toBe(base);
  });
});

describe('other identities', () => {
  it('takes an Ollama digest, and nothing when the listing has none', () => {
    const card = { id: 'llama3.2:1b', providerId: 'ollama', pricing: { prompt: 0, completion: 0 } };
    const facts = ollamaFacts(card, { digest: `sha256:${'c'.repeat(64)}` });
    expect(facts && versionKey(facts)).toBe(`ollama:sha256:${'c'.repeat(64)}`);
    expect(facts?.pricing).toBeUndefined();
    expect(ollamaFacts(card, {})).toBeUndefined();
  });

  it('takes the reported model of a custom provider', () => {
    expect(versionKey(reportedFacts('qwen2.5-1.5b-instruct-q4_k_m.gguf'))).toBe(
      'reported:qwen2.5-1.5b-instruct-q4_k_m.gguf',
    );
  });

  it('gives the same model and identity the same id in every process', () => {
    expect(versionIdFor('ollama/llama3.2:1b', 'ollama:sha256:1')).toBe(
      versionIdFor('ollama/llama3.2:1b', 'ollama:sha256:1'),
    );
    expect(versionIdFor('ollama/llama3.2:1b', 'ollama:sha256:1')).not.toBe(
      versionIdFor('ollama/llama3.2:3b', 'ollama:sha256:1'),
    );
  });
});
