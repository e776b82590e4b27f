import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';

/** When a model counts as unwell. */
export interface HealthThresholds {
  /** Consecutive failures that open a model's breaker. */
  failuresToOpen: number;
  /** How long an open breaker waits before letting one probe request through, ms. */
  halfOpenAfterMs: number;
  /** Results kept per model for rates and percentiles. */
  window: number;
  /** How long a result counts, ms (so a demoted model is forgiven once its failures age). */
  windowMs: number;
  /** Fewest results before a model can be called degraded. */
  minimumSamples: number;
  /** Error rate above which a model is demoted behind healthy ones. */
  degradedErrorRate: number;
  /** p95 latency above which a model is demoted, ms. */
  degradedP95Ms: number;
}

export const defaultHealthThresholds: HealthThresholds = {
  failuresToOpen: 3,
  halfOpenAfterMs: 15_000,
  window: 100,
  windowMs: 5 * 60_000,
  minimumSamples: 10,
  degradedErrorRate: 0.5,
  degradedP95Ms: 20_000,
};

/** A breaker's change of state, for the incident log. */
export interface HealthEvent {
  model: string;
  kind: 'breaker_opened' | 'breaker_half_open' | 'breaker_closed';
  cause: string;
}

/**
 * What this replica tells the others sharing its database about a model, and hears from
 * them (see `shared-health.ts`): breaker openings and recoveries, not every call.
 */
export interface HealthSignal {
  /** `<providerId>/<modelId>`. */
  model: string;
  /**
   * `opened`: its breaker opened here, hold it back for `durationMs`. `closed`: it answered
   * here again (a probe closed the breaker, or it answered while held back by another).
   */
  kind: 'opened' | 'closed';
  /** How long an `opened` holds, milliseconds; 0 for `closed`. */
  durationMs: number;
  /** Why, for the other replicas' logs. */
  cause: string;
}

/** What is known of one model's recent calls. */
export interface ModelHealthSnapshot {
  model: string;
  breaker: 'closed' | 'open' | 'half-open';
  samples: number;
  errorRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  degraded: boolean;
  /**
   * Until when another replica's open breaker holds the model back here, epoch ms; null
   * when none does. This replica's own `breaker` may still read `closed`.
   */
  heldElsewhereUntil: number | null;
}

interface Sample {
  ok: boolean;
  latencyMs: number;
  at: number;
}

const stateNames = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
} as const;

function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

/**
 * Per-model health from live traffic: a circuit breaker each (cockatiel) that opens
 * after consecutive failures and lets a probe through to close again, plus rolling
 * error rate and latency percentiles that demote a slow or failing model to backup.
 */
export function createModelHealth(options: {
  thresholds?: Partial<HealthThresholds>;
  /** Which errors count against a model (the same ones that move a chain on). */
  countsAsFailure: (error: unknown) => boolean;
  onEvent?: (event: HealthEvent) => void;
  /** Hears what other replicas should know: this replica's breaker openings and recoveries. */
  onSignal?: (signal: HealthSignal) => void;
}) {
  const thresholds = { ...defaultHealthThresholds, ...options.thresholds };
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const samples = new Map<string, Sample[]>();
  const openedAt = new Map<string, number>();
  const lastSuccess = new Map<string, number>();
  // Other replicas' open breakers: model → until when it is held back here, epoch ms.
  const heldElsewhere = new Map<string, number>();

  function breakerFor(model: string): CircuitBreakerPolicy {
    let breaker = breakers.get(model);
    if (breaker) return breaker;
    breaker = circuitBreaker(handleWhen(options.countsAsFailure), {
      halfOpenAfter: thresholds.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(thresholds.failuresToOpen),
    });
    breaker.onBreak((reason) => {
      openedAt.set(model, Date.now());
      const cause =
        'error' in reason && reason.error instanceof Error ? reason.error.message : 'isolated';
      const why = `${thresholds.failuresToOpen} failures in a row; last: ${cause}`;
      options.onEvent?.({ model, kind: 'breaker_opened', cause: why });
      options.onSignal?.({
        model,
        kind: 'opened',
        durationMs: thresholds.halfOpenAfterMs,
        cause: why,
      });
    });
    breaker.onHalfOpen(() =>
      options.onEvent?.({
        model,
        kind: 'breaker_half_open',
        cause: `${thresholds.halfOpenAfterMs} ms passed; letting one request probe`,
      }),
    );
    breaker.onReset(() => {
      // A breaker replaced after another replica's recovery resets nothing any more.
      if (breakers.get(model) !== breaker) return;
      options.onEvent?.({ model, kind: 'breaker_closed', cause: 'a probe request succeeded' });
      options.onSignal?.({
        model,
        kind: 'closed',
        durationMs: 0,
        cause: 'a probe request succeeded',
      });
    });
    breakers.set(model, breaker);
    return breaker;
  }

  function record(model: string, sample: Sample): void {
    let list = samples.get(model);
    if (!list) {
      list = [];
      samples.set(model, list);
    }
    list.push(sample);
    if (list.length > thresholds.window) list.shift();
  }

  function snapshot(model: string): ModelHealthSnapshot {
    const since = Date.now() - thresholds.windowMs;
    const list = (samples.get(model) ?? []).filter((sample) => sample.at >= since);
    const failures = list.filter((sample) => !sample.ok).length;
    const latencies = list
      .filter((sample) => sample.ok)
      .map((sample) => sample.latencyMs)
      .sort((a, b) => a - b);
    const errorRate = list.length === 0 ? 0 : failures / list.length;
    const p95 = percentile(latencies, 0.95);
    const state = breakers.get(model)?.state ?? CircuitState.Closed;
    const heldUntil = heldElsewhere.get(model);
    return {
      model,
      breaker: stateNames[state],
      samples: list.length,
      errorRate,
      p50LatencyMs: percentile(latencies, 0.5),
      p95LatencyMs: p95,
      degraded:
        list.length >= thresholds.minimumSamples &&
        (errorRate > thresholds.degradedErrorRate || (p95 ?? 0) > thresholds.degradedP95Ms),
      heldElsewhereUntil: heldUntil !== undefined && heldUntil > Date.now() ? heldUntil : null,
    };
  }

  /**
   * Whether the model is degraded, as `snapshot(model).degraded` would say, in one pass over
   * its samples and without allocating: `isUnwell` runs for every member of every chain on
   * every request. The p95 test counts latencies above the limit instead of sorting: the
   * p95 element exceeds the limit exactly when at least `count - index` of them do.
   */
  function degraded(model: string): boolean {
    const list = samples.get(model);
    if (list === undefined || list.length < thresholds.minimumSamples) return false;
    const since = Date.now() - thresholds.windowMs;
    let recent = 0;
    let failures = 0;
    let successes = 0;
    let slow = 0;
    for (const sample of list) {
      if (sample.at < since) continue;
      recent += 1;
      if (!sample.ok) failures += 1;
      else {
        successes += 1;
        if (sample.latencyMs > thresholds.degradedP95Ms) slow += 1;
      }
    }
    if (recent < thresholds.minimumSamples) return false;
    if (failures / recent > thresholds.degradedErrorRate) return true;
    if (successes === 0) return false;
    const index = Math.min(successes - 1, Math.ceil(0.95 * successes) - 1);
    return slow >= successes - index;
  }

  return {
    /**
     * Runs one call through the model's breaker. Throws `BrokenCircuitError` at once
     * while the breaker is open.
     */
    async run<T>(model: string, call: () => Promise<T>): Promise<T> {
      const startedAt = performance.now();
      try {
        const result = await breakerFor(model).execute(call);
        record(model, { ok: true, latencyMs: performance.now() - startedAt, at: Date.now() });
        lastSuccess.set(model, Date.now());
        // It answered here while another replica holds it back: tell them it is back.
        if (heldElsewhere.size > 0 && heldElsewhere.delete(model)) {
          options.onSignal?.({
            model,
            kind: 'closed',
            durationMs: 0,
            cause: 'answered while held back by another replica',
          });
        }
        return result;
      } catch (error) {
        if (!(error instanceof BrokenCircuitError) && options.countsAsFailure(error)) {
          record(model, { ok: false, latencyMs: performance.now() - startedAt, at: Date.now() });
        }
        throw error;
      }
    },
    /** Counts a failure that happened after the call returned (a stream that broke mid-way). */
    recordLateFailure(model: string, error: unknown): void {
      record(model, { ok: false, latencyMs: 0, at: Date.now() });
      // The breaker learns only through execute; feed it the failure the same way.
      breakerFor(model)
        .execute(() => Promise.reject(error))
        .catch(() => {});
    },
    /**
     * True when the model should go behind healthy ones: its breaker is open (and not yet
     * due a probe), a probe is in flight, or it is degraded. A breaker due a probe keeps
     * the model in its place, so the next request finds out whether it recovered.
     */
    isUnwell(model: string): boolean {
      const state = breakers.get(model)?.state;
      if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) return true;
      if (state === CircuitState.Open) {
        return Date.now() - (openedAt.get(model) ?? 0) < thresholds.halfOpenAfterMs;
      }
      // One size check when no other replica holds anything back: free on the hot path.
      if (heldElsewhere.size > 0) {
        const until = heldElsewhere.get(model);
        if (until !== undefined) {
          if (until > Date.now()) return true;
          heldElsewhere.delete(model);
        }
      }
      return degraded(model);
    },
    /**
     * Applies what another replica saw (`shared-health.ts` reads it from the database).
     * `opened`: the model goes behind healthy ones here for `remainingMs`, as if this
     * replica's breaker were open, without its own breaker opening (no failure was seen
     * here). `closed`, seen at `at` (epoch ms): the hold ends, and this replica's own
     * breaker, if it opened before `at`, starts afresh closed — the model answered there.
     * True when that changed anything here.
     */
    hear(signal: {
      model: string;
      kind: HealthSignal['kind'];
      remainingMs: number;
      at: number;
    }): boolean {
      if (signal.kind === 'opened') {
        if (signal.remainingMs <= 0) return false;
        const until = Date.now() + signal.remainingMs;
        heldElsewhere.set(signal.model, Math.max(heldElsewhere.get(signal.model) ?? 0, until));
        return true;
      }
      let changed = heldElsewhere.delete(signal.model);
      const state = breakers.get(signal.model)?.state;
      const opened = openedAt.get(signal.model) ?? 0;
      if (state !== undefined && state !== CircuitState.Closed && opened <= signal.at) {
        // cockatiel has no reset: a fresh breaker takes the old one's place.
        breakers.delete(signal.model);
        openedAt.delete(signal.model);
        changed = true;
      }
      return changed;
    },
    /** When the model last answered, epoch ms. */
    lastSuccessAt: (model: string): number | undefined => lastSuccess.get(model),
    snapshot,
    /** Every model seen so far. */
    all(): ModelHealthSnapshot[] {
      const models = new Set([...breakers.keys(), ...samples.keys(), ...heldElsewhere.keys()]);
      return [...models].sort().map(snapshot);
    },
  };
}

/** Live model health of a gateway. */
export type ModelHealth = ReturnType<typeof createModelHealth>;
export { BrokenCircuitError };
