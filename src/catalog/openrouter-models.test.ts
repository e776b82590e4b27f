import { describe, expect, it } from 'vitest';
import { openRouterFixtureEntries } from '../../testkit/openrouter-fixture.js';
import { parseOllamaTags, parseParameterCount } from './ollama-models.js';
import { CatalogFormatError, isFreeModel, parseOpenRouterModels } from './openrouter-models.js';

describe("OpenRouter's model list", () => {
  const entries = openRouterFixtureEntries();
  const parsed = parseOpenRouterModels({ data: entries }, 'openrouter');
  const card = (id: string) => parsed.entries.find((entry) => entry.card.id === id)?.card;

  it('reads every entry with an id and says which it skipped', () => {
    expect(parsed.entries).toHaveLength(entries.length - 1);
    expect(parsed.skipped).toEqual([{ index: entries.length - 1, reason: 'no model id' }]);
  });

  it('keeps each entry whole beside its card, every documented field included', () => {
    const entry = parsed.entries.find((candidate) => candidate.card.id === 'openai/gpt-4o-mini');
    expect(entry?.raw).toEqual(entries.find((candidate) => candidate.id === 'openai/gpt-4o-mini'));
    expect(entry?.raw).toMatchObject({
      canonical_slug: expect.any(String),
      hugging_face_id: '',
      per_request_limits: null,
      default_parameters: expect.any(Object),
      top_provider: { is_moderated: true },
      pricing: { input_cache_read: '0.000000075' },
    });
  });

  it('normalises a full entry: prices as numbers per token, modalities, limits, parameters', () => {
    expect(card('google/gemini-2.5-flash')).toEqual({
      id: 'google/gemini-2.5-flash',
      providerId: 'openrouter',
      name: 'Google: Gemini 2.5 Flash',
      ownedBy: 'google',
      description: expect.stringContaining('workhorse model'),
      contextLength: 1_048_576,
      maxOutputTokens: 65_535,
      inputModalities: ['file', 'image', 'text', 'audio'],
      outputModalities: ['text'],
      pricing: { prompt: 0.0000003, completion: 0.0000025, request: 0, image: 0.001238 },
      isFree: false,
      supportedParameters: expect.arrayContaining(['tools', 'response_format', 'reasoning']),
      created: 1_750_172_488,
    });
  });

  it('recognises free models by the :free variant or by zero prompt and completion prices', () => {
    expect(card('meta-llama/llama-3.1-8b-instruct:free')?.isFree).toBe(true);
    expect(card('agentica-org/deepcoder-14b-preview')?.isFree).toBe(true);
    expect(card('meta-llama/llama-3.1-8b-instruct')?.isFree).toBe(false);
    expect(isFreeModel('x/y', { prompt: 0, completion: 0, request: 0.01 })).toBe(false);
    expect(isFreeModel('x/y', undefined)).toBe(false);
  });

  it('reads expiration dates and leaves "varies" (-1) and missing prices out', () => {
    expect(card('google/gemini-2.0-flash-exp:free')?.expiresAt).toBe('2025-06-01');
    expect(card('openrouter/auto')?.pricing).toBeUndefined();
    expect(card('openrouter/auto')?.isFree).toBe(false);
    expect(card('undi95/remm-slerp-l2-13b')?.pricing).toBeUndefined();
  });

  it('fills what a minimal entry leaves out where it can, and nothing else', () => {
    expect(card('microsoft/phi-3-mini-128k-instruct')).toEqual({
      id: 'microsoft/phi-3-mini-128k-instruct',
      providerId: 'openrouter',
      name: 'Microsoft: Phi-3 Mini 128K Instruct',
      ownedBy: 'microsoft',
      contextLength: 128_000,
      inputModalities: ['text'],
      outputModalities: ['text'],
      pricing: { prompt: 0.0000001, completion: 0.0000001 },
      isFree: false,
      created: 1_716_681_600,
    });
  });

  it('refuses a download that is not a model list', () => {
    expect(() => parseOpenRouterModels({ error: { code: 500 } }, 'openrouter')).toThrow(
      CatalogFormatError,
    );
    expect(() => parseOpenRouterModels(null, 'openrouter')).toThrow(/no "data" array/);
  });
});

describe("Ollama's tag list", () => {
  it('reads size, quantisation and parameter count; local models are free', () => {
    const parsed = parseOllamaTags(
      {
        models: [
          {
            name: 'llama3.2:3b',
            model: 'llama3.2:3b',
            modified_at: '2025-01-01T00:00:00Z',
            size: 2_019_393_189,
            details: { family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
          },
          { size: 1 },
        ],
      },
      'ollama',
    );
    expect(parsed.entries[0]?.card).toEqual({
      id: 'llama3.2:3b',
      providerId: 'ollama',
      name: 'llama3.2:3b',
      ownedBy: 'llama',
      created: 1_735_689_600,
      size: 2_019_393_189,
      quantisation: 'Q4_K_M',
      parameterCount: 3_200_000_000,
      pricing: { prompt: 0, completion: 0 },
      isFree: true,
    });
    expect(parsed.skipped).toEqual([{ index: 1, reason: 'no model name' }]);
  });

  it('reads parameter sizes as Ollama writes them', () => {
    expect(parseParameterCount('8.0B')).toBe(8_000_000_000);
    expect(parseParameterCount('494.03M')).toBe(494_030_000);
    expect(parseParameterCount('unknown')).toBeUndefined();
  });
});
