import type { ChainMember } from '../resilience/fallback-chain.js';
import { type BenchmarkScoreSource, InvalidRequestError, type TaskScore } from '../spec/index.js';
import { NoModelAvailableError } from './no-model-available.js';
import {
  type Candidate,
  type LiveFigures,
  type Preferences,
  type Selection,
  type SelectionPolicy,
  selectModels,
} from './select-models.js';
import type { TaskProfile } from './task-profile.js';

/** Where the selection service gets its data; every source is injected. */
export interface SelectionSources {
  /** Every model that could be chosen (the catalog). */
  candidates(): Promise<Candidate[]>;
  /** Benchmark scores per task, when benchmarks exist. */
  scores?: () => BenchmarkScoreSource | undefined;
  /** Live figures of a model. */
  live(model: string): LiveFigures | undefined;
  /** Local models that do not fit the machine now. */
  doesNotFitNow(): Promise<Set<string>>;
  /** A player's stored preferences. */
  storedPreferences(owner: string): Promise<Preferences>;
}

/** A chain chosen for a task, with the decision behind it. */
export interface Chosen {
  members: ChainMember[];
  selection: Selection;
}

/**
 * Task-aware selection on the hot path: gathers candidates, scores, live health and
 * resource fit, runs the pure decision, and caches it briefly per (task, preferences)
 * so most requests pay only a map lookup. Slow sources are refreshed in the background.
 */
export function createSelectionService(options: {
  profiles: ReadonlyMap<string, TaskProfile>;
  policy: SelectionPolicy;
  sources: SelectionSources;
  resolve: (name: string) => ChainMember;
  cacheMs?: number;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5_000;
  const slowMs = 30_000;
  const decisions = new Map<string, { selection: Selection; at: number }>();
  // Stored preferences are read for every request that selects: kept as long as a decision
  // is (and dropped by `invalidate`, which saving them calls), so the hit path does no I/O.
  const stored = new Map<string, { preferences: Preferences; at: number }>();
  // The chain of a decision, resolved once: every request the decision serves reuses it.
  const chains = new WeakMap<Selection, ChainMember[]>();
  let gathered: { candidates: Candidate[]; doesNotFitNow: Set<string>; at: number } | undefined;
  let gathering: Promise<void> | undefined;

  function gather(): Promise<void> {
    gathering ??= (async () => {
      const [candidates, doesNotFitNow] = await Promise.all([
        options.sources.candidates(),
        options.sources.doesNotFitNow(),
      ]);
      gathered = { candidates, doesNotFitNow, at: now() };
    })().finally(() => {
      gathering = undefined;
    });
    return gathering;
  }

  async function slowSources() {
    if (!gathered) await gather();
    // Stale but present: answer now, refresh behind the request.
    else if (now() - gathered.at > slowMs) gather().catch(() => {});
    return gathered as NonNullable<typeof gathered>;
  }

  function profileOf(task: string): TaskProfile {
    const profile = options.profiles.get(task);
    if (!profile) {
      throw new InvalidRequestError(
        `Unknown task "${task}". Tasks: ${[...options.profiles.keys()].join(', ')} (operators add more under selection.tasks in config.yaml).`,
        'metadata.task',
        'unknown_task',
      );
    }
    return profile;
  }

  async function storedPreferences(owner: string): Promise<Preferences> {
    const cached = stored.get(owner);
    if (cached && now() - cached.at < cacheMs) return cached.preferences;
    const preferences = await options.sources.storedPreferences(owner);
    // Bounded like the decisions: owners are users, but must not grow memory without limit.
    if (stored.size > 10_000) stored.clear();
    stored.set(owner, { preferences, at: now() });
    return preferences;
  }

  /** The chain of a decision: its best `chainLength` models that still resolve. */
  function chainOf(selection: Selection): ChainMember[] {
    const known = chains.get(selection);
    if (known) return known;
    const members: ChainMember[] = [];
    for (const ranked of selection.ranked) {
      if (members.length >= options.policy.chainLength) break;
      try {
        members.push(options.resolve(ranked.model));
      } catch {
        // A catalog entry whose provider is gone from the config: skip it.
      }
    }
    chains.set(selection, members);
    return members;
  }

  async function select(
    task: string,
    owner: string,
    requested: Preferences = {},
  ): Promise<Selection> {
    const profile = profileOf(task);
    const preferences = { ...(await storedPreferences(owner)), ...requested };
    const key = `${task}\u0000${JSON.stringify(preferences)}`;
    const cached = decisions.get(key);
    if (cached && now() - cached.at < cacheMs) return cached.selection;
    const { candidates, doesNotFitNow } = await slowSources();
    const scoreList: readonly TaskScore[] = options.sources.scores?.()?.scoresFor(task) ?? [];
    const live = new Map<string, LiveFigures>();
    for (const candidate of candidates) {
      const figures = options.sources.live(candidate.name);
      if (figures) live.set(candidate.name, figures);
    }
    const selection = selectModels({
      profile,
      candidates,
      scores: new Map(scoreList.map((score) => [score.model, score])),
      live,
      doesNotFitNow,
      preferences,
      policy: options.policy,
    });
    if (decisions.size > 1_000) decisions.clear();
    decisions.set(key, { selection, at: now() });
    return selection;
  }

  return {
    select,
    /** The fallback chain for a task: the best `chainLength` models; 503 with reasons when none qualifies. */
    async chain(task: string, owner: string, preferences?: Preferences): Promise<Chosen> {
      const selection = await select(task, owner, preferences);
      if (selection.ranked.length === 0) throw new NoModelAvailableError(selection);
      const members = chainOf(selection);
      if (members.length === 0) throw new NoModelAvailableError({ ...selection, ranked: [] });
      // A copy: callers reorder chains for sessions and pins.
      return { members: [...members], selection };
    },
    /**
     * Forgets stored preferences only (another process saved some): decisions are keyed by
     * preferences, so the next request of each owner reads theirs and decides afresh, while
     * the slower catalog data stays.
     */
    preferencesChanged(): void {
      stored.clear();
    },
    /** Forgets cached decisions and data (after a benchmark run or a config change). */
    invalidate(): void {
      decisions.clear();
      stored.clear();
      gathered = undefined;
    },
    /** Task names, for help texts. */
    tasks: (): string[] => [...options.profiles.keys()],
  };
}

/** The last header made for each decision: every request a cached decision serves sends it. */
const headers = new WeakMap<Selection, { chosen: string; header: string }>();

/** A one-line summary of a decision for the `x-tta-selection` header. */
export function selectionHeader(selection: Selection, chosen: string): string {
  const known = headers.get(selection);
  if (known?.chosen === chosen) return known.header;
  const header = describeSelection(selection, chosen);
  headers.set(selection, { chosen, header });
  return header;
}

function describeSelection(selection: Selection, chosen: string): string {
  const top = selection.ranked.find((model) => model.model === chosen) ?? selection.ranked[0];
  const parts = top
    ? `score ${top.score.toFixed(3)}: quality ${top.parts.quality.toFixed(2)}, latency ${top.parts.latency.toFixed(2)}, cost ${top.parts.cost.toFixed(2)}`
    : 'no score';
  return `task=${selection.task}; chose ${chosen} (${parts}); ${selection.ranked.length} qualified, ${selection.excluded.length} excluded`;
}

/** Selection of a gateway. */
export type SelectionService = ReturnType<typeof createSelectionService>;
