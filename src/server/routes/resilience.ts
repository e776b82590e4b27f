import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { GatewayError } from '../../spec/index.js';

const security = [{ adminToken: [] }];

/** What the resilience layer did and knows: incidents, model health, sessions. */
export function resilienceRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/incidents',
      {
        schema: {
          tags: ['resilience'],
          summary: 'Switches, breaker changes and key invalidations, newest first',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(50),
            model: z.string().optional(),
            since: z.coerce.number().int().optional(),
          }),
        },
      },
      async (request) => ({ incidents: await gateway.storage.incidents.recent(request.query) }),
    );
    typed.get(
      '/api/health/models',
      {
        schema: {
          tags: ['resilience'],
          summary: 'Breaker state, error rate and latency of every model seen in traffic',
          security,
        },
      },
      async () => ({ models: gateway.modelHealth.all() }),
    );
    typed.get(
      '/api/sessions/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['resilience'],
          summary: 'A session: its pinned model and switch history',
          security,
          params: z.object({ id: z.string().min(1) }),
        },
      },
      async (request) => {
        const session = await gateway.sessions.get(request.params.id);
        const caller = request.caller;
        if (!session || (caller?.kind !== 'admin' && session.owner !== caller?.owner)) {
          throw new GatewayError(`No session "${request.params.id}".`, {
            status: 404,
            type: 'invalid_request_error',
            code: 'session_not_found',
          });
        }
        return session;
      },
    );
  };
}
