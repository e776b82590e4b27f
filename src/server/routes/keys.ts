import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { GatewayError } from '../../spec/index.js';
import { auditActorOf } from '../audit-actor.js';

const security = [{ adminToken: [] }];
const keyId = z.object({ id: z.string().min(1) });

/** The caller's own keys for a user; every key for an admin (owner undefined = no check). */
function ownerScope(request: FastifyRequest): string | undefined {
  const caller = request.caller;
  return caller?.kind === 'admin' ? undefined : caller?.owner;
}

/** `/api/keys`: users bring their own provider keys; admins add shared ones and see all metadata. */
export function keysRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    const config = { access: 'user' as const };

    typed.get(
      '/api/keys',
      {
        config,
        schema: {
          tags: ['keys'],
          summary: 'Your keys (all keys for an admin): metadata only, never secrets',
          security,
        },
      },
      async (request) => ({ keys: await gateway.keys.list(ownerScope(request)) }),
    );

    typed.post(
      '/api/keys',
      {
        config,
        schema: {
          tags: ['keys'],
          summary: 'Check a provider key with its provider, then store it encrypted',
          security,
          body: z.strictObject({
            providerId: z
              .string()
              .min(1)
              .describe('A provider id from config.yaml, e.g. "openrouter"'),
            secret: z.string().min(1).describe('The key; it is never shown again'),
            label: z.string().max(200).optional(),
            owner: z
              .string()
              .min(1)
              .optional()
              .describe('Admins only: a user id, or "operator" (the default) for a shared key'),
            skipValidation: z
              .boolean()
              .optional()
              .describe('Save without asking the provider (when it cannot be reached)'),
          }),
        },
      },
      async (request, reply) => {
        const caller = request.caller;
        const { owner, ...rest } = request.body;
        if (owner !== undefined && caller?.kind !== 'admin') {
          throw new GatewayError('Only an admin may add a key for someone else; leave owner out.', {
            status: 403,
            type: 'permission_error',
            code: 'admin_required',
          });
        }
        const added = await gateway.keys.add({
          ...rest,
          owner: owner ?? caller?.owner ?? 'operator',
        });
        // An admin adding a key (shared, or for someone) is an administrative change.
        if (caller?.kind === 'admin') {
          await gateway.storage.audit.add({
            ...auditActorOf(request),
            action: 'keys.add',
            subject: `key:${added.key.id}`,
            detail: {
              providerId: added.key.providerId,
              owner: added.key.owner,
              label: added.key.label,
              status: added.key.status,
            },
          });
        }
        return reply.status(201).send(added);
      },
    );

    typed.post(
      '/api/keys/:id/validate',
      {
        config,
        schema: {
          tags: ['keys'],
          summary: 'Check a stored key with its provider again',
          security,
          params: keyId,
        },
      },
      async (request) => gateway.keys.revalidate(request.params.id, ownerScope(request)),
    );

    typed.delete(
      '/api/keys/:id',
      { config, schema: { tags: ['keys'], summary: 'Remove a key', security, params: keyId } },
      async (request) => {
        const removed = await gateway.keys.remove(request.params.id, ownerScope(request));
        if (request.caller?.kind === 'admin') {
          await gateway.storage.audit.add({
            ...auditActorOf(request),
            action: 'keys.remove',
            subject: `key:${removed.id}`,
            detail: { providerId: removed.providerId, owner: removed.owner, label: removed.label },
          });
        }
        return { removed };
      },
    );
  };
}
