import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { preferencesKey } from '../../selection/gateway-selection.js';
import { preferencesSchema } from '../../selection/preferences.js';
import { auditActorOf } from '../audit-actor.js';

const security = [{ adminToken: [] }];
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** `/api/select/explain` and `/api/preferences`: why selection chooses what it does, and a player's wishes. */
export function selectionRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    const config = { access: 'user' as const };

    typed.get(
      '/api/select/explain',
      {
        config,
        schema: {
          tags: ['selection'],
          summary:
            'For a task: the chosen model, the runners-up with scores, the excluded models with reasons',
          security,
          querystring: z.object({
            task: z.string().min(1),
            localOnly: flag.optional(),
            freeOnly: flag.optional(),
            favourite: z.string().optional(),
          }),
        },
      },
      async (request) => {
        const { task, ...wishes } = request.query;
        const preferences = preferencesSchema.parse(wishes);
        const selection = await gateway.selection.select(
          task,
          request.caller?.owner ?? 'operator',
          preferences,
        );
        return {
          chosen: selection.ranked[0]?.model ?? null,
          chain: selection.ranked
            .slice(0, gateway.config.selection.chainLength)
            .map((model) => model.model),
          ...selection,
        };
      },
    );

    typed.get(
      '/api/preferences',
      {
        config,
        schema: { tags: ['selection'], summary: 'Your stored selection preferences', security },
      },
      async (request) => {
        const stored = await gateway.storage.settings.get(
          preferencesKey(request.caller?.owner ?? 'operator'),
        );
        return { preferences: stored ? preferencesSchema.parse(JSON.parse(stored)) : {} };
      },
    );

    typed.put(
      '/api/preferences',
      {
        config,
        schema: {
          tags: ['selection'],
          summary: 'Replace your selection preferences (local only, free only, favourite, avoid)',
          security,
          body: preferencesSchema,
        },
      },
      async (request) => {
        const owner = request.caller?.owner ?? 'operator';
        await gateway.storage.settings.set(preferencesKey(owner), JSON.stringify(request.body));
        gateway.selection.invalidate();
        // The admin's preferences apply to every caller without their own: audited.
        if (request.caller?.kind === 'admin') {
          await gateway.storage.audit.add({
            ...auditActorOf(request),
            action: 'preferences.set',
            subject: `preferences:${owner}`,
            detail: { preferences: request.body },
          });
        }
        return { preferences: request.body };
      },
    );
  };
}
