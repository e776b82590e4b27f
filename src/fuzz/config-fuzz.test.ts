import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/load-config.js';

/** Whatever a config file holds, loading it gives a config or a ConfigError naming the problem: nothing else. */
describe('fuzzing the config loader', () => {
  function loadsOrExplains(text: string): void {
    try {
      parseConfig(text, 'fuzz.yaml', {});
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('fuzz.yaml');
    }
  }

  it('handles arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), loadsOrExplains), { numRuns: 500 });
  });

  it('handles arbitrary YAML documents shaped like a config', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    const provider = fc.record(
      {
        id: value,
        type: fc.oneof(
          fc.constantFrom('openai-compatible', 'openrouter', 'ollama', 'anthropic', 'embedded'),
          value,
        ),
        baseUrl: value,
        apiKey: value,
        models: value,
      },
      { requiredKeys: [] },
    );
    const config = fc.record(
      {
        server: fc.record(
          { host: value, port: value, bodyLimitBytes: value },
          { requiredKeys: [] },
        ),
        providers: fc.oneof(fc.array(provider, { maxLength: 3 }), value),
        routes: fc.dictionary(
          fc.string({ maxLength: 8 }),
          fc.record(
            { models: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), value) },
            { requiredKeys: [] },
          ),
          { maxKeys: 2 },
        ),
        selection: fc.record(
          {
            safetyThreshold: value,
            tasks: fc.dictionary(fc.string(), fc.anything(), { maxKeys: 2 }),
          },
          { requiredKeys: [] },
        ),
        auth: fc.record(
          { apiKeys: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), value) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (document) => loadsOrExplains(stringify(document))),
      { numRuns: 500 },
    );
  });

  it('handles deep nesting, huge numbers and ${} references', () => {
    for (const text of [
      `${'a:\n  '.repeat(200)}b: 1`,
      'server: {port: 1e400}',
      'providers: [{id: x, type: ollama, apiKey: "${NOPE}"}]',
      'providers: [{id: x, type: ollama, apiKey: "${"}]',
      '&a [*a]',
      '--- !!binary AAAA',
    ]) {
      loadsOrExplains(text);
    }
  });
});
