import { ApiCallError, GatewayError, type OpenAIErrorBody } from '../spec/index.js';

/** One try of one model while answering a request. */
export interface Attempt {
  /** Public model name, `<providerId>/<modelId>`. */
  model: string;
  /** Error code when it failed (`upstream_timeout`, `upstream_rate_limited`, ...). */
  code: string;
  /** What went wrong, without secrets. */
  message: string;
  /** How long the try took, milliseconds. */
  durationMs: number;
  /** True when the model had already streamed part of the answer. */
  afterContent: boolean;
}

/**
 * Every model of a chain failed. Says what each attempt ran into and what the caller
 * can do; a chain that failed only on rate limits answers 429 with the shortest wait.
 */
export class AllModelsFailedError extends GatewayError {
  /** Each attempt, in order. */
  readonly attempts: readonly Attempt[];
  /** When every failure was a rate limit: the shortest `Retry-After`, milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    attempts: readonly Attempt[],
    errors: readonly unknown[],
    skipped: readonly string[],
  ) {
    const waits = errors.map((error) =>
      error instanceof ApiCallError ? error.retryAfterMs : undefined,
    );
    const allRateLimited =
      errors.length > 0 &&
      errors.every((error) => error instanceof ApiCallError && error.statusCode === 429);
    const retryAfterMs = allRateLimited
      ? Math.min(...waits.map((wait) => wait ?? 1_000))
      : undefined;
    const tried = attempts
      .map(
        (attempt) => `${attempt.model}: ${attempt.code} after ${Math.round(attempt.durationMs)} ms`,
      )
      .join('; ');
    const cooling =
      skipped.length > 0 ? ` Skipped while cooling down or unhealthy: ${skipped.join(', ')}.` : '';
    const advice =
      retryAfterMs !== undefined
        ? `Retry in ${Math.ceil(retryAfterMs / 1000)} s, add a key with more capacity (tta-models keys add), or add a local model to the route.`
        : 'Retry shortly, check `tta-models providers` for what is down, add a provider key (tta-models keys add) or a local model to the route.';
    super(`Every model failed (${tried || 'none could be tried'}).${cooling} ${advice}`, {
      status: retryAfterMs !== undefined ? 429 : 502,
      type: 'upstream_error',
      code: 'all_models_failed',
    });
    this.attempts = attempts;
    this.retryAfterMs = retryAfterMs;
  }

  /** The OpenAI error body, with the attempts listed for clients that look. */
  override toJSON(): OpenAIErrorBody & { error: { attempts: readonly Attempt[] } } {
    const body = super.toJSON();
    return { error: { ...body.error, attempts: this.attempts } };
  }
}
