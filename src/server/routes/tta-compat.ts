import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogFilter, CatalogItem } from '../../catalog/filter-catalog.js';
import type { CatalogMeta } from '../../catalog/model-catalog.js';
import { toTtaModelInfo, ttaProviderType } from '../../catalog/tta-model-info.js';
import type { Gateway } from '../../gateway.js';
import { queryBoolean } from './catalog.js';

const security = [{ adminToken: [] }];
const tags = ['TTA compatibility'];
const provider = z
  .string()
  .min(1)
  .optional()
  .describe('openrouter, local or custom_api (TTA provider types), or a provider id');

/** TTA's `provider=`: its provider types, or one of our provider ids, types or publishers. */
function matchesTtaProvider(item: CatalogItem, wanted: string | undefined): boolean {
  if (wanted === undefined) return true;
  const name = wanted.toLowerCase();
  return (
    ttaProviderType(item) === name ||
    item.providerId.toLowerCase() === name ||
    item.providerType === name ||
    item.ownedBy?.toLowerCase() === name
  );
}

/** Tells a client that reads headers that the list is a cached copy; the body keeps TTA's shape. */
function markFreshness(reply: FastifyReply, meta: CatalogMeta): void {
  reply.header('x-tta-catalog-offline', String(meta.offline));
  const synced = meta.providers.flatMap((status) => (status.syncedAt ? [status.syncedAt] : []));
  if (synced.length > 0)
    reply.header('x-tta-catalog-synced-at', new Date(Math.min(...synced)).toISOString());
}

/**
 * The routes TTA's React model-management UI calls, answering bare arrays of TTA's
 * `ModelInfo` shape so the UI works unchanged. Any user token (or the admin token) may
 * call them: the UI sends `Authorization: Bearer <token>` with every request.
 */
export function ttaCompatRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    const config = { access: 'user' as const };

    async function list(
      reply: FastifyReply,
      filter: CatalogFilter,
      providerName: string | undefined,
      keep: (item: CatalogItem) => boolean = () => true,
    ) {
      const { models, meta } = await gateway.catalog.browse({ filter, limits: false });
      markFreshness(reply, meta);
      return models
        .filter((item) => matchesTtaProvider(item, providerName) && keep(item))
        .map(toTtaModelInfo);
    }

    typed.get(
      '/api/v1/models/available',
      {
        config,
        schema: {
          tags,
          summary: 'Every model (TTA ModelInfo items), optionally one provider type and free only',
          security,
          querystring: z.object({ provider, free_only: queryBoolean.optional() }),
        },
      },
      async (request, reply) =>
        list(reply, request.query.free_only ? { free: true } : {}, request.query.provider),
    );

    typed.get(
      '/api/v1/models/free',
      {
        config,
        schema: {
          tags,
          summary: 'Free models (TTA ModelInfo items)',
          security,
          querystring: z.object({ provider }),
        },
      },
      async (request, reply) => list(reply, { free: true }, request.query.provider),
    );

    typed.get(
      '/api/v1/models/affordable',
      {
        config,
        schema: {
          tags,
          summary:
            'Models whose cost_per_token (USD per prompt token) is at most max_cost_per_token (default 0.001)',
          security,
          querystring: z.object({
            max_cost_per_token: z.coerce.number().min(0).default(0.001),
            provider,
          }),
        },
      },
      async (request, reply) =>
        list(reply, { sort: 'price' }, request.query.provider, (item) => {
          const cost = toTtaModelInfo(item).cost_per_token;
          return cost !== null && cost <= request.query.max_cost_per_token;
        }),
    );

    typed.get(
      '/api/v1/models/openrouter/free',
      {
        config,
        schema: { tags, summary: 'Free OpenRouter models (TTA ModelInfo items)', security },
      },
      async (_request, reply) => list(reply, { free: true }, 'openrouter'),
    );
  };
}
