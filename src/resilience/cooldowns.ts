/**
 * Models told to wait (`Retry-After`, or an open breaker's pause): skipped until
 * their time is up, unless nothing else is left.
 */
export function createCooldowns(now: () => number = Date.now) {
  const until = new Map<string, number>();
  return {
    /** Keeps `model` out of chains for `ms` milliseconds. */
    cool(model: string, ms: number): void {
      until.set(model, Math.max(until.get(model) ?? 0, now() + ms));
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
