import { GatewayError } from '../spec/index.js';

/** What the runner does about a failed call. */
export type Failure =
  /** The caller gave up (Ctrl-C, shutdown): leave the scenario for a resume. */
  | { kind: 'aborted' }
  /** Rate limited: wait (`retryAfterMs` when the upstream said how long), then try again. */
  | { kind: 'rate-limited'; retryAfterMs?: number; message: string }
  /** Worth another try after a pause: 5xx, timeouts, broken connections, every model failing. */
  | { kind: 'transient'; message: string }
  /** Would fail again: a malformed request, an unknown model, a refused key. Recorded as an error. */
  | { kind: 'permanent'; message: string };

/** How long the upstream asked to wait, when the error carries it (`ApiCallError`, `AllModelsFailedError`). */
function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Sorts a failed scenario call into what to do next. */
export function classifyFailure(error: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return { kind: 'aborted' };
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof GatewayError)) return { kind: 'transient', message };
  const retryAfterMs = retryAfterOf(error);
  if (error.status === 429) {
    return {
      kind: 'rate-limited',
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const retryable = (error as { isRetryable?: unknown }).isRetryable;
  if (retryable === true || error.status >= 500 || error.status === 408)
    return { kind: 'transient', message };
  return { kind: 'permanent', message };
}
