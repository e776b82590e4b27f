import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { GatewayError } from '../../spec/index.js';
import { UserConflictError } from '../../storage/index.js';

const security = [{ adminToken: [] }];

/** `/api/users` (admin): players and services with their own tokens and keys. */
export function usersRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/users',
      {
        schema: { tags: ['users'], summary: 'Every user (tokens are never shown again)', security },
      },
      async () => ({
        users: await gateway.users.list(),
      }),
    );
    typed.post(
      '/api/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Add a user; the answer holds its token, shown this once',
          security,
          body: z.strictObject({
            name: z.string().min(1).max(100),
            role: z.enum(['user', 'admin']).default('user'),
          }),
        },
      },
      async (request, reply) => {
        try {
          return reply
            .status(201)
            .send(await gateway.users.add(request.body.name, request.body.role));
        } catch (error) {
          if (error instanceof UserConflictError) {
            throw new GatewayError(error.message, {
              status: 409,
              type: 'invalid_request_error',
              code: 'user_exists',
            });
          }
          throw error;
        }
      },
    );
    typed.delete(
      '/api/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Revoke a user (by id or name); its token stops working',
          security,
          params: z.object({ id: z.string().min(1) }),
        },
      },
      async (request) => {
        if (!(await gateway.users.revoke(request.params.id))) {
          throw new GatewayError(`No active user "${request.params.id}".`, {
            status: 404,
            type: 'invalid_request_error',
            code: 'user_not_found',
          });
        }
        return { revoked: request.params.id };
      },
    );
  };
}
