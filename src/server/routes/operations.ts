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
          summary: 'Readiness: the database answers and providers are configured',
        },
      },
      async (_request, reply) => {
        const database = await gateway.storage.ping();
        const checks = {
          database: database ? 'ok' : 'unavailable',
          providers: gateway.providers.size,
        };
        return reply
          .status(database ? 200 : 503)
          .send({ status: database ? 'ready' : 'not ready', checks });
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
