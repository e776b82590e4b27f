import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';

const security = [{ adminToken: [] }];

/** A time filter: ISO 8601 or epoch milliseconds. */
const instant = z
  .string()
  .min(1)
  .transform((text, context) => {
    const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (Number.isFinite(at)) return at;
    context.addIssue({
      code: 'custom',
      message: 'use ISO 8601 (e.g. 2026-11-27T00:00:00Z) or epoch milliseconds',
    });
    return z.NEVER;
  });

/** `GET /api/audit` (admin): every administrative change, who made it, how, when and why. */
export function auditRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary:
            'Administrative changes (users, keys, setup, preferences, pins ...), newest first',
          description:
            'Each entry: actor, channel (api, cli, system), action (e.g. users.add, keys.remove), subject, reason and detail. Secrets are never recorded.',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(50),
            action: z
              .string()
              .min(1)
              .optional()
              .describe('An action, or a prefix ending in * (users.*)'),
            actor: z.string().min(1).optional(),
            channel: z.enum(['api', 'cli', 'system']).optional(),
            subject: z.string().min(1).optional(),
            since: instant.optional(),
            until: instant.optional(),
          }),
        },
      },
      async (request) => {
        const { limit, action, actor, channel, subject, since, until } = request.query;
        return {
          entries: await gateway.storage.audit.list({
            limit,
            ...(action === undefined ? {} : { action }),
            ...(actor === undefined ? {} : { actor }),
            ...(channel === undefined ? {} : { channel }),
            ...(subject === undefined ? {} : { subject }),
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
          }),
        };
      },
    );
  };
}
