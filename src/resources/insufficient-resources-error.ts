import { ApiCallError, type OpenAIErrorBody } from '../spec/errors.js';
import type { AdmissionDecision } from './admission-control.js';
import type { Recommendation } from './recommendations.js';

/**
 * A local model was not loaded because it would not fit (503, code
 * `insufficient_resources`). It is an `ApiCallError` that is retryable, so a fallback
 * chain moves on to the next model; the body lists the recommendations.
 */
export class InsufficientResourcesError extends ApiCallError {
  override readonly status: number = 503;
  override readonly type: string = 'server_error';
  /** The verdict: need, what the machine has, and the ways out. */
  readonly decision: AdmissionDecision;

  constructor(providerId: string, decision: AdmissionDecision) {
    super({
      message: refusalMessage(decision),
      providerId,
      code: 'insufficient_resources',
      isRetryable: true,
    });
    this.decision = decision;
  }

  /** The OpenAI error body, with `recommendations` beside the message. */
  override toJSON(): OpenAIErrorBody & { error: { recommendations: Recommendation[] } } {
    const body = super.toJSON();
    return { error: { ...body.error, recommendations: this.decision.recommendations } };
  }
}

function refusalMessage(decision: AdmissionDecision): string {
  const ways = decision.recommendations.map((recommendation) => recommendation.message);
  const instead =
    ways.length > 0
      ? ` Instead: ${ways.join('; ')}.`
      : ' Free memory, raise resources.memoryBudget, or configure a cloud provider as a fallback.';
  return `Not enough memory to load ${decision.model}: ${decision.shortfalls.join('; ')}.${instead}`;
}
