/**
 * Live monitoring from real traffic: per model (and optionally per task) latency
 * percentiles, error rate, first-token time, tokens/s and cost, computed exactly from
 * the request log over a window.
 */
import type { ModelPricing } from '../spec/index.js';
import type { MonitoredRequest } from '../storage/index.js';
import { estimateCost } from './estimate-cost.js';
import { percentile } from './latency-histogram.js';
import { isFailed } from './metrics-rollup.js';

/** One model's (or model and task's) live figures. */
export interface LiveStats {
  model: string;
  /** The task, or null when grouped over every task. */
  task: string | null;
  requests: number;
  errors: number;
  errorRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  averageFirstTokenMs: number | null;
  /** Completion tokens per second of total latency, over answered requests. */
  tokensPerSecond: number | null;
  /** Reported cost, else tokens times catalog prices, USD. */
  costUsd: number;
  /** Mean completion tokens of answered requests. */
  meanCompletionTokens: number | null;
}

/** The cost of one request: reported, else estimated from prices, else 0. */
export function requestCost(request: MonitoredRequest, pricing?: ModelPricing): number {
  if (request.costUsd !== null) return request.costUsd;
  if (request.promptTokens === null && request.completionTokens === null) return 0;
  return (
    estimateCost(
      {
        prompt_tokens: request.promptTokens ?? 0,
        completion_tokens: request.completionTokens ?? 0,
        total_tokens: (request.promptTokens ?? 0) + (request.completionTokens ?? 0),
      },
      pricing,
    ) ?? 0
  );
}

/** The running sums of one group: a number per request at most (its latency), no rows. */
interface LiveGroup {
  model: string;
  task: string | null;
  pricing: ModelPricing | undefined;
  latencies: number[];
  answered: number;
  firstTokenSum: number;
  firstTokenCount: number;
  timedCount: number;
  timedMs: number;
  timedTokens: number;
  costUsd: number;
}

/** Options of {@link liveStats} and {@link createLiveStats}. */
export interface LiveStatsOptions {
  byTask?: boolean;
  pricing?: (model: string) => ModelPricing | undefined;
}

/**
 * Live figures folded from requests as they come (a page at a time, say): what it keeps
 * per request is its latency (percentiles need them all), not the request row. Requests
 * added in the same order give exactly the figures of {@link liveStats}.
 */
export function createLiveStats(options: LiveStatsOptions = {}) {
  const groups = new Map<string, LiveGroup>();
  return {
    /** Folds more requests in. */
    add(requests: Iterable<MonitoredRequest>): void {
      for (const request of requests) {
        const key = options.byTask ? `${request.model}\u0000${request.task ?? ''}` : request.model;
        let group = groups.get(key);
        if (group === undefined) {
          group = {
            model: request.model,
            task: options.byTask ? request.task : null,
            pricing: options.pricing?.(request.model),
            latencies: [],
            answered: 0,
            firstTokenSum: 0,
            firstTokenCount: 0,
            timedCount: 0,
            timedMs: 0,
            timedTokens: 0,
            costUsd: 0,
          };
          groups.set(key, group);
        }
        group.latencies.push(request.latencyMs);
        if (request.firstTokenMs !== null) {
          group.firstTokenSum += request.firstTokenMs;
          group.firstTokenCount += 1;
        }
        if (!isFailed(request)) {
          group.answered += 1;
          if (request.completionTokens !== null && request.latencyMs > 0) {
            group.timedCount += 1;
            group.timedMs += request.latencyMs;
            group.timedTokens += request.completionTokens;
          }
        }
        group.costUsd += requestCost(request, group.pricing);
      }
    },
    /** The figures of every group, busiest first. */
    stats(): LiveStats[] {
      return [...groups.values()]
        .map((group): LiveStats => {
          const requests = group.latencies.length;
          const errors = requests - group.answered;
          return {
            model: group.model,
            task: group.task,
            requests,
            errors,
            errorRate: errors / requests,
            p50LatencyMs: percentile(group.latencies, 0.5),
            p95LatencyMs: percentile(group.latencies, 0.95),
            averageFirstTokenMs:
              group.firstTokenCount === 0 ? null : group.firstTokenSum / group.firstTokenCount,
            tokensPerSecond: group.timedMs > 0 ? group.timedTokens / (group.timedMs / 1000) : null,
            costUsd: group.costUsd,
            meanCompletionTokens:
              group.timedCount === 0 ? null : group.timedTokens / group.timedCount,
          };
        })
        .sort(
          (left, right) => right.requests - left.requests || left.model.localeCompare(right.model),
        );
    },
  };
}

/** Live figures per model (`byTask` false) or per model and task. */
export function liveStats(
  requests: readonly MonitoredRequest[],
  options: LiveStatsOptions = {},
): LiveStats[] {
  const stats = createLiveStats(options);
  stats.add(requests);
  return stats.stats();
}
