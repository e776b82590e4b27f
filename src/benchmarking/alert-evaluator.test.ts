import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.js';
import { createAlertEvaluator, dailyCosts } from './alert-evaluator.js';
import { type AlertNotification, postAlert } from './alert-webhook.js';
import { alertsConfigSchema } from './benchmarks-config.js';
import { liveStats } from './live-stats.js';
import { dayStart } from './metrics-rollup.js';
import type { TaskStanding } from './task-standings.js';

let folder: string;
let storage: Storage;
let clock: number;
let webhook: Server;
let webhookUrl: string;
let webhookStatus: number;
const received: AlertNotification[] = [];

function standing(model: string, task: string, figures: Partial<TaskStanding>): TaskStanding {
  return {
    model,
    task,
    quality: 0.9,
    safetyPassRate: null,
    samples: 7,
    p50LatencyMs: 1000,
    measuredAt: clock,
    passRate: 0.9,
    meanCostUsd: null,
    meanCompletionTokens: 180,
    ...figures,
  };
}

let standings: TaskStanding[];
let sequence = 0;

function record(
  model: string,
  latencyMs: number,
  count: number,
  extra: { status?: number; costUsd?: number } = {},
) {
  for (let made = 0; made < count; made++) {
    sequence += 1;
    storage.requests.record({
      id: `live-${sequence}`,
      createdAt: clock,
      model,
      requestedModel: model,
      task: 'narrative_generation',
      stream: false,
      status: extra.status ?? 200,
      latencyMs,
      completionTokens: 100,
      ...(extra.costUsd === undefined ? {} : { costUsd: extra.costUsd }),
    });
  }
}

function evaluator(rules: unknown[]) {
  return createAlertEvaluator({
    config: alertsConfigSchema.parse({ webhookUrl, windowMinutes: 10, minimumRequests: 3, rules }),
    alerts: storage.alerts,
    metrics: storage.metrics,
    flushRequests: () => storage.requests.flush(),
    standings: () => standings,
    fittingLocalModels: async () => ['local/tiny'],
    notify: (notification) => postAlert(webhookUrl, notification),
    now: () => clock,
  });
}

/** The text of an alert's suggestion. */
const suggestionText = (alert: { suggestion: unknown } | undefined) =>
  (alert?.suggestion as { text?: string } | undefined)?.text ?? '';

const opened = (model: string) =>
  received.filter(
    (notification) => notification.event === 'alert.opened' && notification.alert.model === model,
  );
const clearedNotices = () =>
  received.filter((notification) => notification.event === 'alert.cleared');

beforeEach(async () => {
  clock = Date.parse('2024-05-01T12:00:00Z');
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-alerts-'));
  storage = await openStorage({ path: path.join(folder, 'gateway.sqlite'), now: () => clock });
  received.length = 0;
  webhookStatus = 204;
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push(JSON.parse(body) as AlertNotification);
      response.writeHead(webhookStatus).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/tta`;
  standings = [
    standing('up/slow', 'narrative_generation', {
      quality: 0.9,
      p50LatencyMs: 3000,
      meanCostUsd: 0.004,
    }),
    standing('up/fast', 'narrative_generation', {
      quality: 0.92,
      p50LatencyMs: 400,
      meanCostUsd: 0.0005,
    }),
    standing('up/slow', 'crisis_screening', {
      quality: 0.8,
      safetyPassRate: 0.5,
      p50LatencyMs: 3000,
    }),
    standing('up/fast', 'crisis_screening', {
      quality: 0.95,
      safetyPassRate: 1,
      p50LatencyMs: 400,
    }),
  ];
});
afterEach(async () => {
  await storage.close();
  await new Promise<void>((resolve) => webhook.close(() => resolve()));
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('alerts', () => {
  it('fire once with a suggestion, do not repeat while the condition holds, and clear when it stops', async () => {
    const alerts = evaluator([{ model: 'up/*', p95LatencyMs: 2000 }]);
    record('up/slow', 4000, 5);
    record('up/fast', 300, 5);

    const first = await alerts.evaluate();
    expect(first.opened).toHaveLength(1);
    expect(first.opened[0]).toMatchObject({
      metric: 'p95_latency_ms',
      model: 'up/slow',
      task: null,
      value: 4000,
      threshold: 2000,
      message: 'up/slow: p95 latency 4000 ms crosses the threshold of 2000 ms.',
      suggestion: { kind: 'switch-model', model: 'up/fast' },
    });
    expect(suggestionText(first.opened[0])).toContain('median latency of 0.4 s (vs 3.0 s)');
    expect(opened('up/slow')).toHaveLength(1);

    // Still slow, a minute later: no second alert, no second POST.
    clock += 60_000;
    record('up/slow', 4500, 3);
    expect((await alerts.evaluate()).opened).toEqual([]);
    expect(received).toHaveLength(1);
    expect(await storage.alerts.openAlerts()).toMatchObject([{ model: 'up/slow', value: 4500 }]);

    // The window moves on and the model is fast again: cleared, once.
    clock += 11 * 60_000;
    record('up/slow', 500, 5);
    const recovered = await alerts.evaluate();
    expect(recovered.cleared).toMatchObject([
      { model: 'up/slow', status: 'cleared', value: 500, clearedAt: clock },
    ]);
    expect(clearedNotices()).toHaveLength(1);
    expect((await alerts.evaluate()).cleared).toEqual([]);
    expect(received.map((notification) => notification.event)).toEqual([
      'alert.opened',
      'alert.cleared',
    ]);
    expect((await storage.alerts.list())[0]?.notifiedAt).toBe(clock);
  });

  it('watch the benchmark safety pass rate per task and suggest a safer model', async () => {
    const alerts = evaluator([{ model: 'up/*', safetyPassRate: 0.9 }]);
    const { opened: raised } = await alerts.evaluate();
    expect(raised).toMatchObject([
      {
        metric: 'safety_pass_rate',
        model: 'up/slow',
        task: 'crisis_screening',
        value: 0.5,
        suggestion: { kind: 'switch-model', model: 'up/fast' },
      },
    ]);
    expect(suggestionText(raised[0])).toContain('passed 100% of the safety scenarios (vs 50%)');
    standings = standings.map((entry) =>
      entry.model === 'up/slow' && entry.task === 'crisis_screening'
        ? { ...entry, safetyPassRate: 1 }
        : entry,
    );
    expect((await alerts.evaluate()).cleared).toHaveLength(1);
  });

  it('watch cost per day and error rate, suggesting a cheaper model and a fallback', async () => {
    const alerts = evaluator([{ model: 'up/slow', costPerDayUsd: 0.01, errorRate: 0.2 }]);
    record('up/slow', 800, 3, { costUsd: 0.005 });
    record('up/slow', 800, 2, { status: 502 });
    const { opened: raised } = await alerts.evaluate();
    const byMetric = Object.fromEntries(raised.map((alert) => [alert.metric, alert]));
    expect(byMetric.cost_per_day_usd).toMatchObject({
      value: 0.015,
      suggestion: { kind: 'switch-model', model: 'up/fast' },
    });
    expect(byMetric.error_rate).toMatchObject({
      value: 0.4,
      suggestion: { kind: 'add-fallback', model: 'up/fast' },
    });
  });

  it('suggest a lower max_tokens when no benchmarked model is faster', async () => {
    standings = [
      standing('up/slow', 'narrative_generation', {
        p50LatencyMs: 3000,
        meanCompletionTokens: 600,
      }),
    ];
    const alerts = evaluator([{ p95LatencyMs: 2000 }]);
    record('up/slow', 4000, 3);
    const [alert] = (await alerts.evaluate()).opened;
    expect(alert?.suggestion).toMatchObject({ kind: 'lower-max-tokens' });
    expect(suggestionText(alert)).toContain('to about 736');
  });

  it('store the alert when the webhook fails, saying why', async () => {
    webhookStatus = 500;
    const alerts = evaluator([{ p95LatencyMs: 2000 }]);
    record('up/slow', 4000, 3);
    await alerts.evaluate();
    expect(await storage.alerts.openAlerts()).toMatchObject([
      { model: 'up/slow', notifiedAt: null, notifyError: expect.stringContaining('answered 500') },
    ]);
  });

  it("count today's cost from database totals exactly as from every request row", async () => {
    // Reported costs, unreported ones priced from the catalog (per-request fee included),
    // requests with nothing to price, two tasks, a benchmark call, and yesterday's traffic.
    const pricing = (model: string) =>
      model === 'up/slow'
        ? { prompt: 0.000001, completion: 0.000002, request: 0.0004 }
        : model === 'up/fast'
          ? { prompt: 3e-7 }
          : undefined;
    const entries = [
      { model: 'up/slow', task: 'narrative_generation', costUsd: 0.0031, promptTokens: 100 },
      { model: 'up/slow', task: 'narrative_generation', promptTokens: 120, completionTokens: 80 },
      { model: 'up/slow', task: 'narrative_generation', promptTokens: 70 },
      { model: 'up/slow', task: 'narrative_generation', status: 502 },
      { model: 'up/slow', task: 'crisis_screening', promptTokens: 30, completionTokens: 10 },
      { model: 'up/fast', task: null, costUsd: 0.0002, completionTokens: 20 },
      { model: 'up/fast', task: null, promptTokens: 11, completionTokens: 22 },
      { id: 'bench-run-1', model: 'up/fast', task: null, costUsd: 0.01 },
      { model: 'up/other', task: null, promptTokens: 5, completionTokens: 5 },
      { model: 'up/slow', task: null, costUsd: 9, createdAt: dayStart('2024-05-01') - 1 },
    ];
    for (const [index, entry] of entries.entries()) {
      storage.requests.record({
        id: `live-mix-${index}`,
        createdAt: clock - index,
        requestedModel: entry.model,
        stream: false,
        status: 200,
        latencyMs: 500,
        ...entry,
      });
    }
    await storage.requests.flush();
    const from = dayStart('2024-05-01');
    const rows = await storage.metrics.requestsBetween(from, clock + 1, {
      includeBenchmarks: true,
    });
    const totals = await storage.metrics.costTotals(from, clock + 1, { includeBenchmarks: true });
    const costs = (list: ReadonlyArray<{ model: string; task: string | null; costUsd: number }>) =>
      Object.fromEntries(list.map((stats) => [`${stats.model} ${stats.task}`, stats.costUsd]));
    const fromTotals = dailyCosts(totals, pricing);
    const fromRows = {
      byModel: costs(liveStats(rows, { pricing })),
      byTask: costs(liveStats(rows, { pricing, byTask: true })),
    };
    for (const grouping of ['byModel', 'byTask'] as const) {
      const expected = fromRows[grouping];
      const actual = costs(fromTotals[grouping]);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const [key, cost] of Object.entries(expected)) expect(actual[key]).toBeCloseTo(cost, 15);
    }
    // 0.0031 + 0.0004 + 120e-6 + 160e-6 + 0.0004 + 70e-6, and the failed call costs nothing.
    expect(fromRows.byModel['up/slow null']).toBeCloseTo(0.00425 + 0.0004 + 30e-6 + 20e-6, 15);

    // And the evaluator raises on that figure.
    const alerts = createAlertEvaluator({
      config: alertsConfigSchema.parse({ rules: [{ model: 'up/*', costPerDayUsd: 0.004 }] }),
      alerts: storage.alerts,
      metrics: storage.metrics,
      flushRequests: () => storage.requests.flush(),
      standings: () => standings,
      pricing,
      now: () => clock,
    });
    const { opened: raised } = await alerts.evaluate();
    expect(raised.map((alert) => [alert.model, alert.value])).toEqual([
      ['up/slow', fromRows.byModel['up/slow null']],
      ['up/fast', fromRows.byModel['up/fast null']],
    ]);
  });

  it('leave out rules without data: fewer requests than the minimum raise nothing', async () => {
    const alerts = evaluator([{ p95LatencyMs: 2000 }]);
    record('up/slow', 4000, 2);
    expect(await alerts.evaluate()).toEqual({ opened: [], cleared: [], open: 0 });
  });
});
