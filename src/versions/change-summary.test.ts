import { describe, expect, it } from 'vitest';
import type { VersionFacts } from '../spec/model-version.js';
import {
  capabilityLosses,
  describeChanges,
  formatTokens,
  formatUsd,
  severityOf,
  summarizeChanges,
} from './change-summary.js';

const before: VersionFacts = {
  source: 'openrouter',
  canonicalSlug: 'meta-llama/llama-3.1-8b-instruct',
  created: 1_721_692_800,
  contextLength: 131_072,
  pricing: { prompt: 0.000_000_15, completion: 0.000_000_6 },
  supportedParameters: ['max_tokens', 'temperature', 'tool_choice', 'tools'],
};

describe('describeChanges', () => {
  it('reads like the issue asks: context, price per million, tools support', () => {
    const after: VersionFacts = {
      ...before,
      contextLength: 65_536,
      pricing: { prompt: 0.000_000_2, completion: 0.000_000_6 },
      supportedParameters: ['max_tokens', 'temperature'],
    };
    const changes = describeChanges(before, after);
    expect(summarizeChanges(changes)).toBe(
      'context 128k → 64k, prompt price $0.15 → $0.20 per M, tools support dropped',
    );
    expect(severityOf(changes)).toBe('breaking');
    expect(changes.find((change) => change.field === 'pricing.prompt')).toMatchObject({
      from: '$0.15',
      to: '$0.20',
      costlier: true,
      breaking: false,
    });
  });

  it('treats a bigger context and an added capability as compatible, a higher price as a warning', () => {
    const after: VersionFacts = {
      ...before,
      contextLength: 200_000,
      pricing: { prompt: 0.000_000_3, completion: 0.000_000_6 },
      supportedParameters: [...(before.supportedParameters ?? []), 'response_format', 'seed'],
    };
    const changes = describeChanges(before, after);
    expect(changes.map((change) => change.text)).toEqual([
      'context 128k → 200k',
      'prompt price $0.15 → $0.30 per M',
      'JSON mode support added',
      'parameters added: seed',
    ]);
    expect(severityOf(changes)).toBe('warning');
    expect(capabilityLosses(before, after)).toEqual([]);
  });

  it('names identity changes of local models: digest, file hash, size, quantisation, reported model', () => {
    const ollama = describeChanges(
      {
        source: 'ollama',
        digest: `sha256:${'a'.repeat(64)}`,
        quantisation: 'Q4_K_M',
        size: 4_700_000_000,
      },
      {
        source: 'ollama',
        digest: `sha256:${'b'.repeat(64)}`,
        quantisation: 'Q8_0',
        size: 8_100_000_000,
      },
    );
    expect(summarizeChanges(ollama)).toBe(
      'quantisation Q4_K_M → Q8_0, digest aaaaaaaaaaaa → bbbbbbbbbbbb, size 4.7 GB → 8.1 GB',
    );
    expect(severityOf(ollama)).toBe('info');
    const reported = describeChanges(
      { source: 'reported', reportedModel: 'qwen2.5-1.5b-q4' },
      { source: 'reported', reportedModel: 'qwen2.5-1.5b-q8' },
    );
    expect(summarizeChanges(reported)).toBe('reports model "qwen2.5-1.5b-q4" → "qwen2.5-1.5b-q8"');
  });

  it('counts a different parameter count or family as breaking', () => {
    const changes = describeChanges(
      { source: 'gguf', sha256: 'aa', family: 'llama', parameterCount: 8_000_000_000 },
      { source: 'gguf', sha256: 'bb', family: 'qwen2', parameterCount: 1_500_000_000 },
    );
    expect(severityOf(changes)).toBe('breaking');
    expect(summarizeChanges(changes)).toContain('parameters 8B → 1.5B');
  });

  it('says so when nothing visible changed', () => {
    expect(summarizeChanges(describeChanges(before, before), 'same card')).toBe('same card');
  });
});

describe('capabilityLosses', () => {
  it('lists lost context, capability parameters and modalities; unknown values are not losses', () => {
    expect(
      capabilityLosses(
        { ...before, inputModalities: ['image', 'text'] },
        { contextLength: 32_768, supportedParameters: ['tools'], inputModalities: ['text'] },
      ),
    ).toEqual(['context 128k → 32k', 'no tool choice support', 'no image input']);
    expect(capabilityLosses(before, {})).toEqual([]);
  });
});

describe('formatting', () => {
  it('writes tokens and prices as people do', () => {
    expect([131_072, 128_000, 8192, 200_000, 512].map(formatTokens)).toEqual([
      '128k',
      '128k',
      '8k',
      '200k',
      '512',
    ]);
    expect(formatUsd(0, true)).toBe('$0');
    expect(formatUsd(0.000_003, true)).toBe('$3.00');
    expect(formatUsd(0.000_000_035, true)).toBe('$0.035');
    expect(formatUsd(0.0001, true)).toBe('$100.00');
    expect(formatUsd(0.002, false)).toBe('$0.0020');
  });
});
