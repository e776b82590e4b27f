import { globMatch } from './glob-match.js';

/** A request budget for models whose names match a pattern. */
export interface RateLimitRule {
  /** Model names it applies to; `*` matches anything (`openrouter/*:free`). */
  match: string;
  /** Requests a minute. */
  requestsPerMinute: number;
  /** True when every matching model draws on one budget (OpenRouter's free models share one account limit). */
  shared: boolean;
}

/**
 * Paces benchmark calls per model: starts are spaced by each model's rate limit, and a
 * model told to wait (`Retry-After`, or backing off after a 429) is paused for all its
 * scenarios at once. Time comes from the injected clock.
 */
export function createRateGate(rules: readonly RateLimitRule[], now: () => number = Date.now) {
  const nextStart = new Map<string, number>();
  const pausedUntil = new Map<string, number>();

  /** The budget a model draws on: its own, or the shared one of its rule. */
  function budgetOf(model: string): { key: string; intervalMs: number } | undefined {
    const rule = rules.find((candidate) => globMatch(candidate.match, model));
    if (!rule) return undefined;
    return {
      key: rule.shared ? `rule:${rule.match}` : `model:${model}`,
      intervalMs: 60_000 / rule.requestsPerMinute,
    };
  }

  return {
    /** Epoch milliseconds from which `model` may start a call. */
    readyAt(model: string): number {
      const budget = budgetOf(model);
      return Math.max(budget ? (nextStart.get(budget.key) ?? 0) : 0, pausedUntil.get(model) ?? 0);
    },
    /** Records that a call to `model` starts now. */
    take(model: string): void {
      const budget = budgetOf(model);
      if (budget) nextStart.set(budget.key, now() + budget.intervalMs);
    },
    /** Holds every call to `model` back for `ms` milliseconds. */
    pause(model: string, ms: number): void {
      pausedUntil.set(model, Math.max(pausedUntil.get(model) ?? 0, now() + ms));
    },
  };
}

/** Pacing of a benchmark run. */
export type RateGate = ReturnType<typeof createRateGate>;
