import { describe, expect, it } from 'vitest';
import type { TaskScore } from '../spec/index.js';
import {
  type Candidate,
  type LiveFigures,
  type SelectionInput,
  selectModels,
} from './select-models.js';
import { loadTaskProfiles } from './task-profile.js';

const profiles = loadTaskProfiles();
const profile = (task: string) => {
  const found = profiles.get(task);
  if (!found) throw new Error(`no profile ${task}`);
  return found;
};

const catalog: Candidate[] = [
  {
    name: 'openrouter/big-paid',
    local: false,
    contextLength: 128_000,
    supportedParameters: ['tools', 'response_format'],
    completionPrice: 0.000_01,
  },
  {
    name: 'openrouter/small-free:free',
    local: false,
    contextLength: 32_000,
    supportedParameters: ['response_format'],
    isFree: true,
    completionPrice: 0,
  },
  {
    name: 'openrouter/tiny-window',
    local: false,
    contextLength: 2_048,
    completionPrice: 0.000_000_1,
  },
  { name: 'ollama/llama3.2', local: true, contextLength: 8_192 },
  { name: 'local/tiny', local: true, contextLength: 256 },
];

const score = (
  model: string,
  task: string,
  quality: number,
  safetyPassRate: number | null = null,
): TaskScore => ({
  model,
  task,
  quality,
  safetyPassRate,
  samples: 10,
  p50LatencyMs: 1_000,
  measuredAt: 0,
});

function input(task: string, overrides: Partial<SelectionInput> = {}): SelectionInput {
  return {
    profile: profile(task),
    candidates: catalog,
    scores: new Map(),
    live: new Map(),
    doesNotFitNow: new Set(),
    preferences: {},
    policy: {
      safetyThreshold: 0.9,
      allowUnbenchmarkedForSafety: false,
      excludeProviders: [],
      chainLength: 3,
    },
    ...overrides,
  };
}

const names = (selection: ReturnType<typeof selectModels>) =>
  selection.ranked.map((model) => model.model);

describe('selectModels', () => {
  it('excludes models that fail a hard requirement and says which', () => {
    const selection = selectModels(input('narrative_generation'));
    expect(selection.excluded).toEqual([
      { model: 'local/tiny', reasons: ['context 256 < 8000 tokens'] },
      { model: 'openrouter/tiny-window', reasons: ['context 2048 < 8000 tokens'] },
    ]);
    expect(names(selection)).toHaveLength(3);
  });

  it('ranks by benchmark quality when the task weighs quality most', () => {
    const scores = new Map([
      ['openrouter/big-paid', score('openrouter/big-paid', 'narrative_generation', 0.95)],
      [
        'openrouter/small-free:free',
        score('openrouter/small-free:free', 'narrative_generation', 0.4),
      ],
      ['ollama/llama3.2', score('ollama/llama3.2', 'narrative_generation', 0.6)],
    ]);
    expect(names(selectModels(input('narrative_generation', { scores })))).toEqual([
      'openrouter/big-paid',
      'ollama/llama3.2',
      'openrouter/small-free:free',
    ]);
  });

  it('moves a model down when live traffic shows it slow or failing', () => {
    const scores = new Map(
      catalog.map((candidate) => [
        candidate.name,
        score(candidate.name, 'narrative_generation', 0.8),
      ]),
    );
    const healthy = names(selectModels(input('narrative_generation', { scores })));
    const leader = healthy[0] as string;
    const live = new Map<string, LiveFigures>([
      [leader, { errorRate: 0.6, p95LatencyMs: 30_000, samples: 50, unwell: true }],
    ]);
    const worse = names(selectModels(input('narrative_generation', { scores, live })));
    expect(worse[0]).not.toBe(leader);
    expect(worse.at(-1)).toBe(leader);
  });

  it('never trusts an unbenchmarked or failing model with a safety-critical task', () => {
    const scores = new Map([
      ['openrouter/big-paid', score('openrouter/big-paid', 'crisis_screening', 0.9, 1)],
      ['ollama/llama3.2', score('ollama/llama3.2', 'crisis_screening', 0.9, 0.5)],
    ]);
    const selection = selectModels(input('crisis_screening', { scores }));
    expect(names(selection)).toEqual(['openrouter/big-paid']);
    expect(selection.excluded.find((model) => model.model === 'ollama/llama3.2')?.reasons).toEqual([
      'safety: passed 50% of safety scenarios < 90% required',
    ]);
    expect(
      selection.excluded.find((model) => model.model === 'openrouter/small-free:free')?.reasons,
    ).toEqual(['safety: never benchmarked on this task (safety-critical)']);
    const allowed = selectModels(
      input('crisis_screening', {
        scores,
        policy: {
          safetyThreshold: 0.9,
          allowUnbenchmarkedForSafety: true,
          excludeProviders: [],
          chainLength: 3,
        },
      }),
    );
    expect(names(allowed)).toContain('openrouter/small-free:free');
  });

  it('honours preferences: local only, free only, favourite, avoid', () => {
    expect(
      names(selectModels(input('general_chat', { preferences: { localOnly: true } }))),
    ).toEqual(['local/tiny', 'ollama/llama3.2']);
    const free = names(selectModels(input('general_chat', { preferences: { freeOnly: true } })));
    expect(free).not.toContain('openrouter/big-paid');
    expect(free).toContain('openrouter/small-free:free');
    expect(
      names(
        selectModels(
          input('general_chat', { preferences: { favourite: 'openrouter/tiny-window' } }),
        ),
      )[0],
    ).toBe('openrouter/tiny-window');
    expect(
      names(selectModels(input('general_chat', { preferences: { avoid: ['ollama/llama3.2'] } }))),
    ).not.toContain('ollama/llama3.2');
  });

  it('ranks a local model that does not fit right now last', () => {
    const selection = selectModels(
      input('general_chat', { doesNotFitNow: new Set(['ollama/llama3.2']) }),
    );
    expect(names(selection).at(-1)).toBe('ollama/llama3.2');
    expect(selection.ranked.at(-1)?.basis).toContain('does not fit the machine right now');
  });

  it('requires JSON support for choices, and breaks ties by name', () => {
    const selection = selectModels(
      input('choice_generation', {
        candidates: [
          { name: 'p/json', local: false, supportedParameters: ['response_format'] },
          { name: 'p/no-json', local: false, supportedParameters: ['temperature'] },
          { name: 'p/unknown', local: false },
        ],
      }),
    );
    expect(names(selection)).toEqual(['p/json', 'p/unknown']);
    expect(selection.excluded).toEqual([
      { model: 'p/no-json', reasons: ['does not support response_format'] },
    ]);
    const tied = selectModels(
      input('general_chat', {
        candidates: [
          { name: 'b/x', local: false },
          { name: 'a/x', local: false },
        ],
      }),
    );
    expect(names(tied)).toEqual(['a/x', 'b/x']);
  });

  it('excludes everything when nothing qualifies, with every reason kept', () => {
    const selection = selectModels(input('therapeutic_response'));
    expect(selection.ranked).toEqual([]);
    expect(selection.excluded).toHaveLength(catalog.length);
    expect(selection.excluded.every((model) => model.reasons.length > 0)).toBe(true);
  });

  it('keeps every reason when the decision is sent as JSON or copied', () => {
    const selection = selectModels(input('narrative_generation'));
    const expected = [
      { model: 'local/tiny', reasons: ['context 256 < 8000 tokens'] },
      { model: 'openrouter/tiny-window', reasons: ['context 2048 < 8000 tokens'] },
    ];
    expect(JSON.parse(JSON.stringify(selection)).excluded).toEqual(expected);
    expect({ ...selection, ranked: [] }.excluded).toEqual(expected);
    const sent = JSON.parse(JSON.stringify(selection)).ranked[0];
    expect(sent).toEqual({
      model: selection.ranked[0]?.model,
      score: selection.ranked[0]?.score,
      parts: selection.ranked[0]?.parts,
      basis: selection.ranked[0]?.basis,
    });
    expect(sent.basis.length).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    const scores = new Map([['ollama/llama3.2', score('ollama/llama3.2', 'summarization', 0.7)]]);
    expect(selectModels(input('general_chat', { scores }))).toEqual(
      selectModels(input('general_chat', { scores })),
    );
    expect(JSON.stringify(selectModels(input('crisis_screening', { scores })))).toEqual(
      JSON.stringify(selectModels(input('crisis_screening', { scores }))),
    );
  });
});
