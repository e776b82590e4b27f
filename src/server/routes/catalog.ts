import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type CatalogFilter, catalogSorts } from '../../catalog/filter-catalog.js';
import type { Gateway } from '../../gateway.js';
import { taskCatalogFilter } from '../../selection/task-catalog-filter.js';

const security = [{ adminToken: [] }];

/** `true`/`false`/`1`/`0` as a boolean (zod's coerce would read "false" as true). */
export const queryBoolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const catalogQuery = z.object({
  free: queryBoolean.optional().describe('true: free models only; false: paid ones only'),
  provider: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A provider id ("openrouter"), a provider type ("ollama") or a publisher ("meta-llama")',
    ),
  modality: z.string().min(1).optional().describe('A modality read or written, e.g. "image"'),
  minContext: z.coerce.number().int().positive().optional().describe('Smallest context, tokens'),
  maxPrice: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Highest price in USD per million tokens, prompt and completion alike'),
  requires: z
    .string()
    .min(1)
    .optional()
    .describe('Comma-separated parameters the model must support: "tools", "json", "seed" ...'),
  search: z
    .string()
    .min(1)
    .optional()
    .describe('Words that must all appear in name or description'),
  local: queryBoolean.optional().describe('true: local models only; false: remote ones only'),
  task: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Only models task-aware selection finds suitable for this task, e.g. "narrative_generation"',
    ),
  minScore: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Lowest benchmark quality (0–1) on `task`; never-benchmarked models are left out'),
  sort: z
    .enum(catalogSorts)
    .optional()
    .describe(
      'default (free first), name, price, context, newest, score (benchmark quality on `task`)',
    ),
  refresh: z
    .enum(['if-stale', 'never'])
    .optional()
    .describe('if-stale (default): sync catalogs that are due first; never: show what is stored'),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

/** The query of `GET /api/catalog` as a catalog filter. */
export function toCatalogFilter(query: z.infer<typeof catalogQuery>): CatalogFilter {
  const filter: CatalogFilter = {};
  if (query.free !== undefined) filter.free = query.free;
  if (query.provider !== undefined) filter.provider = query.provider;
  if (query.modality !== undefined) filter.modality = query.modality;
  if (query.minContext !== undefined) filter.minContext = query.minContext;
  if (query.maxPrice !== undefined) filter.maxPrice = query.maxPrice;
  if (query.requires !== undefined)
    filter.requires = query.requires
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  if (query.search !== undefined) filter.search = query.search;
  if (query.local !== undefined) filter.local = query.local;
  if (query.sort !== undefined) filter.sort = query.sort;
  if (query.minScore !== undefined) filter.minScore = query.minScore;
  return filter;
}

/**
 * `/api/catalog`: the model catalog for any user (or the admin), with its freshness and
 * free-model limits; syncing on demand is for the admin.
 */
export function catalogRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    const userAccess = { access: 'user' as const };

    typed.get(
      '/api/catalog',
      {
        config: userAccess,
        schema: {
          tags: ['catalog'],
          summary:
            'Every model of every provider, filtered and sorted, with the catalog age, offline flag, free-model limits and setup advice in meta',
          security,
          querystring: catalogQuery,
        },
      },
      async (request) => {
        const owner = request.caller?.owner ?? 'operator';
        const task = request.query.task;
        const forTask = task
          ? await taskCatalogFilter(gateway.selection, gateway.benchmarks.scores, task, owner)
          : {};
        const { models, meta } = await gateway.catalog.browse({
          filter: { ...toCatalogFilter(request.query), ...forTask },
          refresh: request.query.refresh ?? 'if-stale',
          owner: request.caller?.owner ?? 'operator',
        });
        const limit = request.query.limit;
        return { models: limit === undefined ? models : models.slice(0, limit), meta };
      },
    );

    typed.get(
      '/api/catalog/models/*',
      {
        config: userAccess,
        schema: {
          tags: ['catalog'],
          summary:
            'One model by its full name (<provider>/<model>), with the warning, limits and nearest alternatives due for a free model',
          security,
        },
      },
      async (request) => {
        const name = (request.params as { '*': string })['*'];
        return gateway.catalog.describe(name, { owner: request.caller?.owner ?? 'operator' });
      },
    );

    typed.post(
      '/api/catalog/sync',
      {
        schema: {
          tags: ['catalog'],
          summary:
            'Sync provider catalogs now (admin); a failed or cut-short download keeps the last good catalog',
          security,
          body: z
            .strictObject({
              providers: z.array(z.string().min(1)).min(1).optional(),
              force: z
                .boolean()
                .optional()
                .describe('Store a download even when it lost more than half of the models'),
            })
            .optional(),
        },
      },
      async (request) =>
        gateway.catalog.sync({
          ...(request.body?.providers ? { providerIds: request.body.providers } : {}),
          ...(request.body?.force ? { force: true } : {}),
        }),
    );
  };
}
