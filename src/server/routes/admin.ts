import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';

const bearer = [{ adminToken: [] }];

/** The management API under `/api/`: admin token required (checked by the auth hook). */
export function adminRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/providers',
      {
        schema: {
          tags: ['management'],
          summary: 'Configured providers with their health and model counts',
          security: bearer,
        },
      },
      async () => {
        const [health, listings] = await Promise.all([gateway.health(), gateway.models.all()]);
        return {
          providers: health.map((report) => {
            const listing = listings.find(
              (candidate) => candidate.providerId === report.providerId,
            );
            return {
              ...report,
              models: listing?.models.length ?? 0,
              listingError: listing?.error ?? null,
            };
          }),
        };
      },
    );
    typed.get(
      '/api/requests',
      {
        schema: {
          tags: ['management'],
          summary: 'Recently recorded requests, newest first',
          security: bearer,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(50),
            model: z.string().optional(),
          }),
        },
      },
      async (request) => {
        await gateway.storage.requests.flush();
        return { requests: await gateway.storage.requests.recent(request.query) };
      },
    );
    typed.get(
      '/api/requests/summary',
      {
        schema: {
          tags: ['management'],
          summary: 'Per-model totals: requests, errors, latency, tokens, cost',
          security: bearer,
          querystring: z.object({ since: z.coerce.number().int().optional() }),
        },
      },
      async (request) => {
        await gateway.storage.requests.flush();
        return { models: await gateway.storage.requests.summary(request.query) };
      },
    );
  };
}
