import type { TaskScore } from '../spec/index.js';
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

function perMillion(price: number): string {
  return `$${(price * 1_000_000).toFixed(2)}/M`;
}

/** The reasons a candidate cannot serve the task (empty when it can). */
function exclusions(candidate: Candidate, input: SelectionInput): string[] {
  const { requirements } = input.profile;
  const { preferences, policy } = input;
  const reasons: string[] = [];
  if (policy.excludeProviders.length > 0) {
    const providerId = candidate.name.slice(0, candidate.name.indexOf('/'));
    if (policy.excludeProviders.includes(providerId))
      reasons.push(`policy: provider ${providerId} is excluded`);
  }
  if (preferences.avoid?.includes(candidate.name))
    reasons.push('preference: avoided by the player');
  if (preferences.localOnly && !candidate.local) reasons.push('preference: local models only');
  if (preferences.freeOnly && !candidate.local && candidate.isFree !== true)
    reasons.push('preference: free models only');
  if (requirements.privacy === 'local' && !candidate.local)
    reasons.push('privacy: this task may not leave the machine');
  if (
    requirements.minContext !== undefined &&
    candidate.contextLength !== undefined &&
    candidate.contextLength < requirements.minContext
  ) {
    reasons.push(`context ${candidate.contextLength} < ${requirements.minContext} tokens`);
  }
  for (const need of requirements.needs ?? []) {
    if (candidate.supportedParameters && !candidate.supportedParameters.includes(need))
      reasons.push(`does not support ${need}`);
  }
  for (const modality of requirements.modalities ?? []) {
    if (candidate.inputModalities && !candidate.inputModalities.includes(modality))
      reasons.push(`does not read ${modality}`);
  }
  if (requirements.maxPricePerMillion !== undefined && candidate.completionPrice !== undefined) {
    if (candidate.completionPrice * 1_000_000 > requirements.maxPricePerMillion) {
      reasons.push(
        `price ${perMillion(candidate.completionPrice)} > $${requirements.maxPricePerMillion}/M`,
      );
    }
  }
  const live = input.live.get(candidate.name);
  const score = input.scores.get(candidate.name);
  const p95 = live?.p95LatencyMs ?? score?.p50LatencyMs ?? null;
  if (requirements.maxLatencyMs !== undefined && p95 !== null && p95 > requirements.maxLatencyMs) {
    reasons.push(`latency ${Math.round(p95)} ms > ${requirements.maxLatencyMs} ms`);
  }
  if (requirements.safety === 'critical') {
    if (score?.safetyPassRate == null) {
      if (!policy.allowUnbenchmarkedForSafety)
        reasons.push('safety: never benchmarked on this task (safety-critical)');
    } else if (score.safetyPassRate < policy.safetyThreshold) {
      reasons.push(
        `safety: passed ${Math.round(score.safetyPassRate * 100)}% of safety scenarios < ${Math.round(policy.safetyThreshold * 100)}% required`,
      );
    }
  }
  return reasons;
}

/** What a ranked model's explanation is made from. */
interface Evidence {
  score: TaskScore | undefined;
  live: LiveFigures | undefined;
  latencyMs: number | null;
  price: number | undefined;
  doesNotFit: boolean;
  favourite: boolean;
}

/**
 * A ranked model. Its `basis` (the words) is made only when read or serialised: a
 * decision over 500 models must stay cheap, and few explanations are ever read.
 */
class Ranked implements RankedModel {
  constructor(
    readonly model: string,
    readonly score: number,
    readonly parts: RankedModel['parts'],
    private readonly evidence: Evidence,
  ) {}

  get basis(): string[] {
    const { score, live, latencyMs, price } = this.evidence;
    const basis = [
      score
        ? `quality from ${score.samples} benchmark results`
        : 'quality unknown (never benchmarked)',
      latencyMs === null
        ? 'latency unknown'
        : `latency ${Math.round(latencyMs)} ms (${live?.samples ? 'live p95' : 'benchmark p50'})`,
      price === undefined ? 'price unknown' : price === 0 ? 'free' : `price ${perMillion(price)}`,
    ];
    if (live?.unwell) basis.push('unwell now (breaker, cooldown or degraded)');
    if (this.evidence.doesNotFit) basis.push('does not fit the machine right now');
    if (this.evidence.favourite) basis.push("the player's favourite");
    return basis;
  }

  toJSON(): RankedModel {
    return { model: this.model, score: this.score, parts: this.parts, basis: this.basis };
  }
}

/** Scores a qualifying candidate; every part is 0–1, higher is better. */
function rank(candidate: Candidate, input: SelectionInput): RankedModel {
  const { weights } = input.profile;
  const score = input.scores.get(candidate.name);
  const live = input.live.get(candidate.name);
  const quality = score ? score.quality : unknownPart;
  const latencyMs =
    live && live.samples > 0 && live.p95LatencyMs !== null
      ? live.p95LatencyMs
      : (score?.p50LatencyMs ?? null);
  const latency = latencyMs === null ? unknownPart : 1 / (1 + latencyMs / 2_000);
  const price = candidate.local || candidate.isFree ? 0 : candidate.completionPrice;
  const cost = price === undefined ? unknownPart : 1 / (1 + price * 1_000_000);
  const health = (live ? 1 - live.errorRate : 1) * (live?.unwell ? 0.5 : 1);
  const doesNotFit = input.doesNotFitNow.has(candidate.name);
  const favourite = input.preferences.favourite === candidate.name;
  let total =
    (weights.quality * quality + weights.latency * latency + weights.cost * cost) * health;
  if (doesNotFit) total -= 1;
  if (favourite) total += 1;
  return new Ranked(
    candidate.name,
    Math.round(total * 10_000) / 10_000,
    { quality, latency, cost, health },
    {
      score,
      live,
      latencyMs,
      price,
      doesNotFit,
      favourite,
    },
  );
}

/**
 * Chooses models for a task (Requirement 2.1, 2.2): drops those failing a hard
 * requirement, the player's preferences or the operator's policy (keeping each
 * reason), and ranks the rest by the task's weights over benchmark quality, live
 * latency, price and health. Pure and deterministic: ties go by name.
 */
export function selectModels(input: SelectionInput): Selection {
  const ranked: RankedModel[] = [];
  const excluded: ExcludedModel[] = [];
  for (const candidate of input.candidates) {
    const reasons = exclusions(candidate, input);
    if (reasons.length > 0) excluded.push({ model: candidate.name, reasons });
    else ranked.push(rank(candidate, input));
  }
  ranked.sort((a, b) => b.score - a.score || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  excluded.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { task: input.profile.name, ranked, excluded };
}
