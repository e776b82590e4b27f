import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { GatewayError } from '../../spec/index.js';

const security = [{ adminToken: [] }];

/** A comma-separated list (`a,b`) or a repeated query parameter, as a list. */
const list = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean),
);

function runNotFound(id: string): GatewayError {
  return new GatewayError(`No benchmark run "${id}"; GET /api/bench/runs lists them.`, {
    status: 404,
    type: 'invalid_request_error',
    code: 'run_not_found',
  });
}

/** Benchmark runs, results, scores and comparisons under `/api/bench`. */
export function benchRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.post(
      '/api/bench/runs',
      {
        schema: {
          tags: ['benchmarks'],
          summary: 'Start a benchmark run (or resume one); it runs in the background',
          security,
          body: z
            .strictObject({
              models: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]).optional(),
              task: z.string().min(1).optional(),
              scenarioIds: z.array(z.string().min(1)).min(1).optional(),
              concurrency: z.number().int().min(1).max(64).optional(),
              judge: z.string().min(1).nullable().optional(),
              resume: z.string().min(1).optional(),
            })
            .refine((body) => body.models !== undefined || body.resume !== undefined, {
              message: 'send "models" for a new run, or "resume" with a run id',
            }),
        },
      },
      async (request, reply) => {
        const { models, ...rest } = request.body;
        const started = await gateway.benchmarks.start({
          ...rest,
          ...(models === undefined
            ? {}
            : { models: typeof models === 'string' ? models.split(',') : models }),
        });
        started.done.catch(() => undefined);
        reply.status(202).header('location', `/api/bench/runs/${started.runId}`);
        return {
          runId: started.runId,
          total: started.total,
          done: started.alreadyRecorded,
          status: 'running',
        };
      },
    );
    typed.get(
      '/api/bench/runs',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary: 'Benchmark runs, newest first, with how far each got',
          security,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }),
        },
      },
      async (request) => ({ runs: await gateway.benchmarks.runs(request.query.limit) }),
    );
    typed.get(
      '/api/bench/runs/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary: 'One run: status, progress (done, running, errors, ETA) while it runs',
          security,
          params: z.object({ id: z.string().min(1) }),
        },
      },
      async (request) => {
        const view = await gateway.benchmarks.view(request.params.id);
        if (!view) throw runNotFound(request.params.id);
        return view;
      },
    );
    typed.get(
      '/api/bench/runs/:id/results',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary:
            "A run's results: per model and scenario, checks, judge verdict, latency, tokens, cost",
          security,
          params: z.object({ id: z.string().min(1) }),
          querystring: z.object({ answers: z.enum(['true', 'false']).default('true') }),
        },
      },
      async (request) => {
        if (!(await gateway.benchmarks.view(request.params.id)))
          throw runNotFound(request.params.id);
        const results = await gateway.benchmarks.results(request.params.id);
        return {
          results:
            request.query.answers === 'false'
              ? results.map(({ answer: _answer, ...rest }) => rest)
              : results,
        };
      },
    );
    typed.get(
      '/api/bench/compare',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary:
            'Models side by side per task and overall, with differences and a significance test',
          security,
          querystring: z.object({
            models: list,
            run: z.string().min(1).optional(),
            task: z.string().min(1).optional(),
          }),
        },
      },
      async (request) =>
        gateway.benchmarks.compare(request.query.models, {
          ...(request.query.run === undefined ? {} : { runId: request.query.run }),
          ...(request.query.task === undefined ? {} : { task: request.query.task }),
        }),
    );
    typed.get(
      '/api/bench/scores',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary: "Each model's latest standing per task (what selection ranks by)",
          security,
          querystring: z.object({ task: z.string().min(1).optional() }),
        },
      },
      async (request) => ({ scores: gateway.benchmarks.standings(request.query.task) }),
    );
    typed.get(
      '/api/bench/scenarios',
      {
        config: { access: 'user' },
        schema: {
          tags: ['benchmarks'],
          summary: 'The scenario suites: task, version and scenarios (messages and checks)',
          security,
        },
      },
      async () => ({ suites: gateway.benchmarks.suites() }),
    );
  };
}
