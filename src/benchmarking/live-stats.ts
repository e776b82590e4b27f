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

/** Live figures per model (`byTask` false) or per model and task. */
export function liveStats(
  requests: readonly MonitoredRequest[],
  options: { byTask?: boolean; pricing?: (model: string) => ModelPricing | undefined } = {},
): LiveStats[] {
  const groups = new Map<string, MonitoredRequest[]>();
  for (const request of requests) {
    const key = options.byTask ? `${request.model}\u0000${request.task ?? ''}` : request.model;
    // Appended in place: copying the group for each request made a busy day quadratic
    // (alerts are evaluated every minute over the whole day's requests).
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [request]);
    else group.push(request);
  }
  return [...groups.values()]
    .map((members): LiveStats => {
      const first = members[0] as MonitoredRequest;
      const answered = members.filter((request) => !isFailed(request));
      const latencies = members.map((request) => request.latencyMs);
      const firstTokens = members.flatMap((request) =>
        request.firstTokenMs === null ? [] : [request.firstTokenMs],
      );
      const timed = answered.filter(
        (request) => request.completionTokens !== null && request.latencyMs > 0,
      );
      const timedMs = timed.reduce((sum, request) => sum + request.latencyMs, 0);
      const timedTokens = timed.reduce((sum, request) => sum + (request.completionTokens ?? 0), 0);
      const errors = members.length - answered.length;
      const pricing = options.pricing?.(first.model);
      return {
        model: first.model,
        task: options.byTask ? first.task : null,
        requests: members.length,
        errors,
        errorRate: errors / members.length,
        p50LatencyMs: percentile(latencies, 0.5),
        p95LatencyMs: percentile(latencies, 0.95),
        averageFirstTokenMs:
          firstTokens.length === 0
            ? null
            : firstTokens.reduce((sum, value) => sum + value, 0) / firstTokens.length,
        tokensPerSecond: timedMs > 0 ? timedTokens / (timedMs / 1000) : null,
        costUsd: members.reduce((sum, request) => sum + requestCost(request, pricing), 0),
        meanCompletionTokens: timed.length === 0 ? null : timedTokens / timed.length,
      };
    })
    .sort((left, right) => right.requests - left.requests || left.model.localeCompare(right.model));
}
