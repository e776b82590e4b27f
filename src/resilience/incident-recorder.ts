import type { KeyFailure } from '../secrets/key-selection.js';
import type { Incident, Incidents } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Attempt } from './all-models-failed.js';
import type { HealthEvent } from './model-health.js';

/** What a request was, for an incident's context. */
interface RequestContext {
  requestId: string;
  sessionId?: string;
}

const breakerActions: Record<HealthEvent['kind'], string> = {
  breaker_opened: 'stopped sending it traffic; chains use the next model until a probe succeeds',
  breaker_half_open: 'letting the next request through as a probe',
  breaker_closed: 'back in rotation at its place in each chain',
};

/**
 * Turns what the resilience layer does into incidents: stored (for `GET /api/incidents`
 * and `tta-models incidents`) and logged. Storing never fails a request.
 */
export function createIncidentRecorder(store: Incidents, logger: Logger) {
  function add(incident: Omit<Incident, 'id' | 'at'>): void {
    logger.warn(
      { incident: incident.kind, model: incident.model, requestId: incident.requestId },
      `${incident.model}: ${incident.cause} — ${incident.action}`,
    );
    store
      .add(incident)
      .catch((error: unknown) => logger.error({ err: error }, 'incident could not be stored'));
  }

  return {
    /** A failed attempt, as it happens (logged only; `failover` stores the outcome). */
    attemptFailed(attempt: Attempt, context: RequestContext): void {
      logger.debug(
        {
          requestId: context.requestId,
          model: attempt.model,
          code: attempt.code,
          ms: Math.round(attempt.durationMs),
          afterContent: attempt.afterContent,
        },
        `model ${attempt.model} failed (${attempt.code}): ${attempt.message}`,
      );
    },

    /** A request is over after failed attempts: one incident per model given up on. */
    failover(
      attempts: readonly Attempt[],
      answered: string | undefined,
      context: RequestContext,
    ): void {
      attempts.forEach((attempt, index) => {
        const next = attempts[index + 1]?.model ?? answered;
        add({
          model: attempt.model,
          kind: attempt.afterContent ? 'switch_mid_stream' : 'switch',
          cause: `${attempt.code} after ${Math.round(attempt.durationMs)} ms: ${attempt.message}`,
          action: next
            ? `switched to ${next}${attempt.afterContent ? ', continuing the answer already streamed' : ''}`
            : 'no model left; the client got an error listing every attempt',
          requestId: context.requestId,
          sessionId: context.sessionId ?? null,
        });
      });
    },

    /** A breaker opened, half-opened or closed. */
    breaker(event: HealthEvent): void {
      add({
        model: event.model,
        kind: event.kind,
        cause: event.cause,
        action: breakerActions[event.kind],
        requestId: null,
        sessionId: null,
      });
    },

    /** Live traffic showed a vault key to be invalid or out of credit. */
    keyFailure(failure: KeyFailure): void {
      add({
        model: failure.keyId,
        kind: `key_${failure.status}`,
        cause: failure.message,
        action: "marked the key; calls use the next usable key, or the provider's own",
        requestId: null,
        sessionId: null,
      });
    },
  };
}

/** The incident recorder of a gateway. */
export type IncidentRecorder = ReturnType<typeof createIncidentRecorder>;
