import type { TaskScore } from '../spec/index.js';
import type { Candidate, LiveFigures, SelectionInput } from './select-models.js';

/** A price per token as USD per million tokens, e.g. `$0.60/M`. */
export function perMillion(price: number): string {
  return `$${(price * 1_000_000).toFixed(2)}/M`;
}

/**
 * A decision's requirements, preferences and policy read into one object of one shape.
 * Task profiles differ in which requirements they set, so reading them from the
 * profile for each of 500 candidates met a different hidden class per task and made
 * every property read slow; these are read once per decision.
 */
export interface Rules {
  excludeProviders: readonly string[] | undefined;
  avoid: readonly string[] | undefined;
  localOnly: boolean;
  freeOnly: boolean;
  localPrivacy: boolean;
  minContext: number | undefined;
  needs: readonly string[] | undefined;
  modalities: readonly string[] | undefined;
  maxPricePerMillion: number | undefined;
  maxLatencyMs: number | undefined;
  safetyCritical: boolean;
  allowUnbenchmarkedForSafety: boolean;
  safetyThreshold: number;
  favourite: string | undefined;
  qualityWeight: number;
  latencyWeight: number;
  costWeight: number;
  doesNotFitNow: ReadonlySet<string>;
  scores: ReadonlyMap<string, TaskScore>;
  live: ReadonlyMap<string, LiveFigures>;
}

/** The rules of one decision, read from its input once. */
export function rulesOf(input: SelectionInput): Rules {
  const { requirements, weights } = input.profile;
  const { preferences, policy } = input;
  return {
    excludeProviders: policy.excludeProviders.length > 0 ? policy.excludeProviders : undefined,
    avoid: preferences.avoid,
    localOnly: preferences.localOnly === true,
    freeOnly: preferences.freeOnly === true,
    localPrivacy: requirements.privacy === 'local',
    minContext: requirements.minContext,
    needs: requirements.needs,
    modalities: requirements.modalities,
    maxPricePerMillion: requirements.maxPricePerMillion,
    maxLatencyMs: requirements.maxLatencyMs,
    safetyCritical: requirements.safety === 'critical',
    allowUnbenchmarkedForSafety: policy.allowUnbenchmarkedForSafety,
    safetyThreshold: policy.safetyThreshold,
    favourite: preferences.favourite,
    qualityWeight: weights.quality,
    latencyWeight: weights.latency,
    costWeight: weights.cost,
    doesNotFitNow: input.doesNotFitNow,
    scores: input.scores,
    live: input.live,
  };
}

/**
 * Whether a candidate fails a hard requirement, a preference or the policy. With
 * `reasons`, every failure is written there in words; without, it stops at the first:
 * the decision only needs yes or no, and the words are made when the explanation is read.
 */
export function isExcluded(
  candidate: Candidate,
  rules: Rules,
  score: TaskScore | undefined,
  live: LiveFigures | undefined,
  reasons?: string[],
): boolean {
  let failed = false;
  if (rules.excludeProviders !== undefined) {
    const providerId = candidate.name.slice(0, candidate.name.indexOf('/'));
    if (rules.excludeProviders.includes(providerId)) {
      if (!reasons) return true;
      failed = true;
      reasons.push(`policy: provider ${providerId} is excluded`);
    }
  }
  if (rules.avoid?.includes(candidate.name)) {
    if (!reasons) return true;
    failed = true;
    reasons.push('preference: avoided by the player');
  }
  if (rules.localOnly && !candidate.local) {
    if (!reasons) return true;
    failed = true;
    reasons.push('preference: local models only');
  }
  if (rules.freeOnly && !candidate.local && candidate.isFree !== true) {
    if (!reasons) return true;
    failed = true;
    reasons.push('preference: free models only');
  }
  if (rules.localPrivacy && !candidate.local) {
    if (!reasons) return true;
    failed = true;
    reasons.push('privacy: this task may not leave the machine');
  }
  const { contextLength } = candidate;
  if (
    rules.minContext !== undefined &&
    contextLength !== undefined &&
    contextLength < rules.minContext
  ) {
    if (!reasons) return true;
    failed = true;
    reasons.push(`context ${contextLength} < ${rules.minContext} tokens`);
  }
  const { supportedParameters } = candidate;
  if (rules.needs !== undefined && supportedParameters !== undefined) {
    for (const need of rules.needs) {
      if (!supportedParameters.includes(need)) {
        if (!reasons) return true;
        failed = true;
        reasons.push(`does not support ${need}`);
      }
    }
  }
  const { inputModalities } = candidate;
  if (rules.modalities !== undefined && inputModalities !== undefined) {
    for (const modality of rules.modalities) {
      if (!inputModalities.includes(modality)) {
        if (!reasons) return true;
        failed = true;
        reasons.push(`does not read ${modality}`);
      }
    }
  }
  const { completionPrice } = candidate;
  if (
    rules.maxPricePerMillion !== undefined &&
    completionPrice !== undefined &&
    completionPrice * 1_000_000 > rules.maxPricePerMillion
  ) {
    if (!reasons) return true;
    failed = true;
    reasons.push(`price ${perMillion(completionPrice)} > $${rules.maxPricePerMillion}/M`);
  }
  if (rules.maxLatencyMs !== undefined) {
    const p95 = live?.p95LatencyMs ?? score?.p50LatencyMs ?? null;
    if (p95 !== null && p95 > rules.maxLatencyMs) {
      if (!reasons) return true;
      failed = true;
      reasons.push(`latency ${Math.round(p95)} ms > ${rules.maxLatencyMs} ms`);
    }
  }
  if (rules.safetyCritical) {
    const safetyPassRate = score?.safetyPassRate;
    if (safetyPassRate == null) {
      if (!rules.allowUnbenchmarkedForSafety) {
        if (!reasons) return true;
        failed = true;
        reasons.push('safety: never benchmarked on this task (safety-critical)');
      }
    } else if (safetyPassRate < rules.safetyThreshold) {
      if (!reasons) return true;
      failed = true;
      reasons.push(
        `safety: passed ${Math.round(safetyPassRate * 100)}% of safety scenarios < ${Math.round(rules.safetyThreshold * 100)}% required`,
      );
    }
  }
  return failed;
}
