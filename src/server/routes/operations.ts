import type { FastifyPluginAsync } from 'fastify';
import type { Gateway } from '../../gateway.js';

/** Liveness, readiness and Prometheus metrics: unauthenticated, for orchestrators and scrapers. */
export function operationsRoute(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { tags: ['operations'], summary: 'Liveness: the process answers' } },
      async () => ({
        status: 'ok',
      }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'Readiness: ready, or degraded while the database is down (chat still answers)',
        },
      },
      async (_request, reply) => {
        // A database outage does not make a replica unready: chat keeps answering and the
        // request log is kept for later, and every replica shares the same database, so
        // taking them all out of the load balancer would only turn a degraded service into none.
        const database = await gateway.storage.ping();
        const checks = {
          database: database ? 'ok' : 'unavailable',
          providers: gateway.providers.size,
        };
        return reply.status(200).send({ status: database ? 'ready' : 'degraded', checks });
      },
    );
    app.get(
      '/metrics',
      { schema: { tags: ['operations'], summary: 'Prometheus metrics' } },
      async (_request, reply) =>
        reply
          .type(gateway.metrics.registry.contentType)
          .send(await gateway.metrics.registry.metrics()),
    );
  };
}
