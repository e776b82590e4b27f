import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { metricsGroupings } from '../../benchmarking/metrics-query.js';
import type { Gateway } from '../../gateway.js';
import { auditActorOf } from '../audit-actor.js';

const security = [{ adminToken: [] }];
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
const list = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Metrics (daily rollups), live monitoring and alerts under `/api/`: admin token required. */
export function benchMonitoringRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/metrics',
      {
        schema: {
          tags: ['monitoring'],
          summary:
            'Live traffic and benchmark metrics from the daily rollups: filter by source, model, task and days; group by model, task, day, source',
          security,
          querystring: z.object({
            source: z.enum(['live', 'benchmark']).optional(),
            model: list.optional(),
            task: z.string().optional(),
            from: day.optional(),
            to: day.optional(),
            groupBy: list
              .pipe(z.array(z.enum(metricsGroupings as [string, ...string[]])))
              .optional(),
          }),
        },
      },
      async (request) => {
        const { source, model, task, from, to, groupBy } = request.query;
        const groups = (groupBy ?? ['model']) as Array<(typeof metricsGroupings)[number]>;
        const rows = await gateway.benchmarks.metrics({
          ...(source === undefined ? {} : { source }),
          ...(model === undefined ? {} : { models: model }),
          // `task=` (empty) selects requests that named no task.
          ...(task === undefined ? {} : { task: task === '' ? null : task }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          groupBy: groups,
        });
        return { groupBy: groups, rows };
      },
    );
    typed.get(
      '/api/metrics/live',
      {
        schema: {
          tags: ['monitoring'],
          summary:
            'Per model from real traffic: latency percentiles, error rate, first token, tokens/s, cost, local memory, and a daily trend',
          security,
          querystring: z.object({
            windowMinutes: z.coerce.number().positive().max(10_080).optional(),
            days: z.coerce.number().int().min(1).max(365).default(14),
          }),
        },
      },
      async (request) =>
        gateway.benchmarks.live({
          days: request.query.days,
          ...(request.query.windowMinutes === undefined
            ? {}
            : { windowMinutes: request.query.windowMinutes }),
        }),
    );
    typed.get(
      '/api/alerts',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'Threshold alerts with their suggestions, newest first',
          security,
          querystring: z.object({
            status: z.enum(['open', 'cleared']).optional(),
            model: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(50),
          }),
        },
      },
      async (request) => ({ alerts: await gateway.benchmarks.alerts.list(request.query) }),
    );
    typed.post(
      '/api/alerts/evaluate',
      {
        schema: {
          tags: ['monitoring'],
          summary:
            'Evaluate the alert rules now (they also run periodically and after each benchmark run)',
          security,
        },
      },
      async (request) => {
        const evaluation = await gateway.benchmarks.alerts.evaluate();
        await gateway.storage.audit.add({
          ...auditActorOf(request),
          action: 'alerts.evaluate',
          subject: 'alerts',
          detail: {
            opened: evaluation.opened.map((alert) => alert.id),
            cleared: evaluation.cleared.map((alert) => alert.id),
          },
        });
        return evaluation;
      },
    );
  };
}
