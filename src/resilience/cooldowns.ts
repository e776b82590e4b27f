/** A cooldown this replica started, for the other replicas sharing its database. */
export type CooldownListener = (model: string, ms: number) => void;

/** A cooldown is told to other replicas only when it moves the end by more than this. */
const announceStepMs = 1_000;

/**
 * Models told to wait (`Retry-After`, or an open breaker's pause): skipped until
 * their time is up, unless nothing else is left.
 */
export function createCooldowns(
  now: () => number = Date.now,
  options: {
    /** Hears cooldowns started here (not those heard from elsewhere), at most one a second per model. */
    onCool?: CooldownListener;
  } = {},
) {
  const until = new Map<string, number>();

  function extend(model: string, ms: number): boolean {
    const previous = until.get(model) ?? 0;
    const next = now() + ms;
    if (next <= previous) return false;
    until.set(model, next);
    return next - previous > announceStepMs;
  }

  return {
    /** Keeps `model` out of chains for `ms` milliseconds. */
    cool(model: string, ms: number): void {
      // A burst of 429s tells the other replicas once, not once per answer.
      if (extend(model, ms)) options.onCool?.(model, ms);
    },
    /** Like `cool`, for a cooldown another replica started: not announced back. */
    coolFromElsewhere(model: string, ms: number): void {
      extend(model, ms);
    },
    /** True while `model` should be skipped. */
    isCooling(model: string): boolean {
      const end = until.get(model);
      if (end === undefined) return false;
      if (end > now()) return true;
      until.delete(model);
      return false;
    },
    /** Milliseconds left for `model` (0 when it may be tried). */
    remainingMs(model: string): number {
      return Math.max(0, (until.get(model) ?? 0) - now());
    },
  };
}

/** Per-model cooldowns of a gateway. */
export type Cooldowns = ReturnType<typeof createCooldowns>;
