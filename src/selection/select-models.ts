import type { TaskScore } from '../spec/index.js';
import { bestFirst } from './best-first.js';
import { isExcluded, perMillion, type Rules, rulesOf } from './exclusions.js';
import { nameOrderOf, placeByPosition } from './name-order.js';
import type { TaskProfile } from './task-profile.js';

/** A model selection may choose from, with what is known about it. */
export interface Candidate {
  /** `<providerId>/<modelId>`. */
  name: string;
  /** Runs on this machine (its text never leaves it). */
  local: boolean;
  /** Context window, tokens. */
  contextLength?: number;
  /** Parameters it honours (`tools`, `response_format`, ...); unknown when absent. */
  supportedParameters?: string[];
  /** Input modalities (`text`, `image`); unknown when absent. */
  inputModalities?: string[];
  /** USD per completion token; unknown when absent. */
  completionPrice?: number;
  /** Free to call. */
  isFree?: boolean;
}

/** Live traffic figures of one model. */
export interface LiveFigures {
  errorRate: number;
  p95LatencyMs: number | null;
  samples: number;
  /** Breaker open, cooling down or degraded. */
  unwell: boolean;
}

/** A player's wishes. */
export interface Preferences {
  /** Only models on this machine. */
  localOnly?: boolean;
  /** Only free models (local models count as free). */
  freeOnly?: boolean;
  /** A model to put first whenever it qualifies. */
  favourite?: string;
  /** Models never to use. */
  avoid?: string[];
}

/** The operator's rules. */
export interface SelectionPolicy {
  /** Share of safety scenarios a model must pass to serve a safety-critical task. */
  safetyThreshold: number;
  /** Trust models never benchmarked with safety-critical tasks (off by default). */
  allowUnbenchmarkedForSafety: boolean;
  /** Providers never chosen automatically. */
  excludeProviders: string[];
  /** How many ranked models make the fallback chain. */
  chainLength: number;
}

/** Everything a decision depends on; the same input gives the same output. */
export interface SelectionInput {
  profile: TaskProfile;
  candidates: readonly Candidate[];
  scores: ReadonlyMap<string, TaskScore>;
  live: ReadonlyMap<string, LiveFigures>;
  /** Local models that do not fit the machine right now. */
  doesNotFitNow: ReadonlySet<string>;
  preferences: Preferences;
  policy: SelectionPolicy;
}

/** One ranked model with the parts of its score. */
export interface RankedModel {
  model: string;
  score: number;
  parts: { quality: number; latency: number; cost: number; health: number };
  /** Where each part came from (benchmark, live traffic, price, assumed). */
  basis: string[];
}

/** An excluded model and every requirement it failed. */
export interface ExcludedModel {
  model: string;
  reasons: string[];
}

/** A decision and its explanation. */
export interface Selection {
  task: string;
  /** Ranked qualifying models, best first (the fallback chain is the first `chainLength`). */
  ranked: RankedModel[];
  /** Models that did not qualify, with why. */
  excluded: ExcludedModel[];
}

const unknownPart = 0.5;

/** The latency a ranking uses: live p95 when there is traffic, else benchmark p50. */
function latencyOf(score: TaskScore | undefined, live: LiveFigures | undefined): number | null {
  return live && live.samples > 0 && live.p95LatencyMs !== null
    ? live.p95LatencyMs
    : (score?.p50LatencyMs ?? null);
}

/** USD per completion token as ranking sees it: local and free models cost nothing. */
function priceOf(candidate: Candidate): number | undefined {
  return candidate.local || candidate.isFree ? 0 : candidate.completionPrice;
}

// The four parts of a score, each 0–1 (higher is better): computed when ranking, and
// again when a ranked model's `parts` are read (a decision keeps only the score).

function qualityPart(score: TaskScore | undefined): number {
  return score ? score.quality : unknownPart;
}

function latencyPart(score: TaskScore | undefined, live: LiveFigures | undefined): number {
  const latencyMs = latencyOf(score, live);
  return latencyMs === null ? unknownPart : 1 / (1 + latencyMs / 2_000);
}

function costPart(candidate: Candidate): number {
  const price = priceOf(candidate);
  return price === undefined ? unknownPart : 1 / (1 + price * 1_000_000);
}

function healthPart(live: LiveFigures | undefined): number {
  return (live ? 1 - live.errorRate : 1) * (live?.unwell ? 0.5 : 1);
}

/** What the ranked models of one decision share: its rules and their scores. */
interface Ranking {
  rules: Rules;
  /** Each ranked model's score, in ranking order; doubles only, so kept unboxed. */
  scores: number[];
}

/**
 * A ranked model: four fields. Its score lives in its decision's `scores` (a number in an
 * object's field is an object of its own, and the garbage collector's work grew with
 * them); its `parts` and `basis` (the words) are made when read or serialised, from the
 * decision's rules: a decision over 500 models must stay cheap, and few explanations are
 * ever read.
 */
class Ranked implements RankedModel {
  constructor(
    readonly model: string,
    private readonly ranking: Ranking,
    private readonly at: number,
    private readonly candidate: Candidate,
  ) {}

  get score(): number {
    return this.ranking.scores[this.at] as number;
  }

  get parts(): RankedModel['parts'] {
    const { rules } = this.ranking;
    const benchmark = rules.scores.get(this.model);
    const live = rules.live.get(this.model);
    return {
      quality: qualityPart(benchmark),
      latency: latencyPart(benchmark, live),
      cost: costPart(this.candidate),
      health: healthPart(live),
    };
  }

  get basis(): string[] {
    const { rules } = this.ranking;
    const benchmark = rules.scores.get(this.model);
    const live = rules.live.get(this.model);
    const latencyMs = latencyOf(benchmark, live);
    const price = priceOf(this.candidate);
    const basis = [
      benchmark
        ? `quality from ${benchmark.samples} benchmark results`
        : 'quality unknown (never benchmarked)',
      latencyMs === null
        ? 'latency unknown'
        : `latency ${Math.round(latencyMs)} ms (${live?.samples ? 'live p95' : 'benchmark p50'})`,
      price === undefined ? 'price unknown' : price === 0 ? 'free' : `price ${perMillion(price)}`,
    ];
    if (live?.unwell) basis.push('unwell now (breaker, cooldown or degraded)');
    if (rules.doesNotFitNow.has(this.model)) basis.push('does not fit the machine right now');
    if (rules.favourite === this.model) basis.push("the player's favourite");
    return basis;
  }

  toJSON(): RankedModel {
    return { model: this.model, score: this.score, parts: this.parts, basis: this.basis };
  }
}

/**
 * Scores a qualifying candidate (the task's weights over its parts) into the decision's
 * `scores` at `at`.
 */
function rank(
  candidate: Candidate,
  rules: Rules,
  score: TaskScore | undefined,
  live: LiveFigures | undefined,
  ranking: Ranking,
  at: number,
): Ranked {
  let total =
    (rules.qualityWeight * qualityPart(score) +
      rules.latencyWeight * latencyPart(score, live) +
      rules.costWeight * costPart(candidate)) *
    healthPart(live);
  if (rules.doesNotFitNow.size > 0 && rules.doesNotFitNow.has(candidate.name)) total -= 1;
  if (rules.favourite === candidate.name) total += 1;
  ranking.scores[at] = Math.round(total * 10_000) / 10_000;
  return new Ranked(candidate.name, ranking, at, candidate);
}

/**
 * Chooses models for a task (Requirement 2.1, 2.2): drops those failing a hard
 * requirement, the player's preferences or the operator's policy (keeping each
 * reason), and ranks the rest by the task's weights over benchmark quality, live
 * latency, price and health. Pure and deterministic: ties go by name.
 *
 * The excluded models' reasons are put into words when `excluded` is first read (the
 * hot path never reads them); the input is read again then, so it must not be changed.
 */
export function selectModels(input: SelectionInput): Selection {
  const rules = rulesOf(input);
  const excludedCandidates: Candidate[] = [];
  const order = nameOrderOf(input.candidates);
  const { sorted } = order;
  // Sized once (and cut to length after); the first fraction stored in `scores` makes it
  // an array of unboxed doubles.
  const ranked: Ranked[] = new Array<Ranked>(sorted.length);
  let count = 0;
  const ranking: Ranking = { rules, scores: new Array<number>(sorted.length) };
  // By position when names are unique (always, in a catalog); by name otherwise. The
  // arrays are scratch, reused by every decision (one runs at a time) and cleared after.
  const scoreAt = order.positions && placeByPosition(rules.scores, order, new Array(sorted.length));
  const liveAt = order.positions && placeByPosition(rules.live, order, new Array(sorted.length));
  // In name order, so a stable sort by score alone leaves ties by name.
  for (let position = 0; position < sorted.length; position++) {
    const candidate = sorted[position] as Candidate;
    const score = scoreAt ? scoreAt[position] : rules.scores.get(candidate.name);
    const live = liveAt ? liveAt[position] : rules.live.get(candidate.name);
    if (isExcluded(candidate, rules, score, live)) excludedCandidates.push(candidate);
    else {
      ranked[count] = rank(candidate, rules, score, live, ranking, count);
      count += 1;
    }
  }
  ranked.length = count;
  const selection = {
    task: input.profile.name,
    ranked: bestFirst(ranked),
  } as unknown as Selection;
  Object.defineProperty(selection, pending, {
    value: { candidates: excludedCandidates, rules },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  Object.defineProperty(selection, 'excluded', lazyExcluded);
  return selection;
}

/** What a decision keeps to put its exclusions into words later. */
interface Pending {
  candidates: Candidate[];
  rules: Rules;
  excluded?: ExcludedModel[];
}

/** Where a decision keeps its `Pending` (not enumerable: not part of the decision's value). */
const pending = Symbol('pending exclusions');

type WithPending = Selection & { [pending]: Pending };

/**
 * `excluded`, made on first read. One descriptor with the same two functions for every
 * decision: V8 then shares one hidden class between decisions (a fresh getter per
 * decision made a new one each time and the garbage collector the largest cost).
 * Enumerable, so spreading, `JSON.stringify` and equality see it like a plain value.
 */
const lazyExcluded: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: WithPending): ExcludedModel[] {
    const state = this[pending];
    state.excluded ??= state.candidates.map((candidate) => {
      const reasons: string[] = [];
      isExcluded(
        candidate,
        state.rules,
        state.rules.scores.get(candidate.name),
        state.rules.live.get(candidate.name),
        reasons,
      );
      return { model: candidate.name, reasons };
    });
    return state.excluded;
  },
  set(this: WithPending, excluded: ExcludedModel[]) {
    this[pending].excluded = excluded;
  },
};
