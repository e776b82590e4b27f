import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TokenExpiryError } from '../../access/token-expiry.js';
import type { Gateway } from '../../gateway.js';
import { GatewayError, InvalidRequestError } from '../../spec/index.js';
import { UserConflictError } from '../../storage/index.js';
import { auditActorOf } from '../audit-actor.js';

const security = [{ adminToken: [] }];
const tags = ['users'];
const userParams = z.object({ id: z.string().min(1).describe('A user id or name') });
const reason = z.string().max(500).optional().describe('Why: recorded in the audit log');

/** One limit override: a number replaces the default of config.yaml, null lifts it. */
const override = (integer: boolean) =>
  (integer ? z.number().int().min(0) : z.number().min(0)).nullable().optional();
const limitOverrides = z
  .strictObject({
    requestsPerMinute: override(true),
    requestsPerDay: override(true),
    tokensPerDay: override(true),
    costPerDayUsd: override(false),
  })
  .describe(
    "The user's own limits: a number replaces the default of limits.users in config.yaml, null lifts it, a missing field keeps it",
  );
const expiry = {
  expiresIn: z.string().min(2).optional().describe('Token lifetime from now, e.g. "30d", "12h"'),
  expiresAt: z
    .union([z.string().min(1), z.number().int().positive()])
    .optional()
    .describe('When the token expires: ISO 8601 or epoch milliseconds'),
};

function notFound(id: string): GatewayError {
  return new GatewayError(`No active user "${id}"; \`GET /api/users\` lists them.`, {
    status: 404,
    type: 'invalid_request_error',
    code: 'user_not_found',
  });
}

/** Bad expiries become 400s, taken names 409s; anything else passes through. */
function mapUserError(error: unknown): unknown {
  if (error instanceof TokenExpiryError) {
    return new InvalidRequestError(error.message, 'expiresIn', 'invalid_expiry');
  }
  if (error instanceof UserConflictError) {
    return new GatewayError(error.message, {
      status: 409,
      type: 'invalid_request_error',
      code: 'user_exists',
    });
  }
  return error;
}

/**
 * `/api/users` (admin): players and services with their own tokens, expiry and limits;
 * every change is audited. `/api/me/usage` (any user): your own usage and limits.
 */
export function usersRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/users',
      {
        schema: {
          tags,
          summary: 'Every user with status, expiry and own limits (tokens are never shown again)',
          security,
        },
      },
      async () => ({ users: await gateway.users.list() }),
    );
    typed.post(
      '/api/users',
      {
        schema: {
          tags,
          summary: 'Add a user; the answer holds its token, shown this once',
          security,
          body: z.strictObject({
            name: z.string().min(1).max(100),
            role: z.enum(['user', 'admin']).default('user'),
            ...expiry,
            limits: limitOverrides.optional(),
            reason,
          }),
        },
      },
      async (request, reply) => {
        const { name, role, expiresIn, expiresAt, limits } = request.body;
        try {
          const issued = await gateway.users.add(name, role, {
            expiry: {
              ...(expiresIn === undefined ? {} : { expiresIn }),
              ...(expiresAt === undefined ? {} : { expiresAt }),
            },
            ...(limits ? { limits } : {}),
            by: auditActorOf(request, request.body.reason),
          });
          return reply.status(201).send(issued);
        } catch (error) {
          throw mapUserError(error);
        }
      },
    );
    typed.delete(
      '/api/users/:id',
      {
        schema: {
          tags,
          summary: 'Revoke a user (by id or name); its token stops working',
          security,
          params: userParams,
        },
      },
      async (request) => {
        if (!(await gateway.users.revoke(request.params.id, auditActorOf(request)))) {
          throw notFound(request.params.id);
        }
        return { revoked: request.params.id };
      },
    );
    typed.post(
      '/api/users/:id/rotate',
      {
        schema: {
          tags,
          summary:
            'Give a user a new token (shown this once); the old one stops working. The expiry is kept unless one is given',
          security,
          params: userParams,
          body: z
            .strictObject({
              ...expiry,
              never: z.boolean().optional().describe('The new token never expires'),
              reason,
            })
            .default({}),
        },
      },
      async (request) => {
        const { expiresIn, expiresAt, never } = request.body;
        try {
          const issued = await gateway.users.rotate(request.params.id, {
            expiry: {
              ...(expiresIn === undefined ? {} : { expiresIn }),
              ...(expiresAt === undefined ? {} : { expiresAt }),
              ...(never === undefined ? {} : { never }),
            },
            by: auditActorOf(request, request.body.reason),
          });
          if (!issued) throw notFound(request.params.id);
          return issued;
        } catch (error) {
          throw mapUserError(error);
        }
      },
    );
    typed.put(
      '/api/users/:id/limits',
      {
        schema: {
          tags,
          summary:
            "Replace a user's own rate limits and budgets (over limits.users of config.yaml)",
          security,
          params: userParams,
          body: z.strictObject({ limits: limitOverrides, reason }),
        },
      },
      async (request) => {
        const user = await gateway.users.setLimits(
          request.params.id,
          request.body.limits,
          auditActorOf(request, request.body.reason),
        );
        if (!user) throw notFound(request.params.id);
        return { user, inForce: gateway.userLimits.limitsFor(user.limits) };
      },
    );
    typed.get(
      '/api/usage',
      {
        schema: {
          tags,
          summary: "Every active user's requests, tokens and spend today against their limits",
          security,
        },
      },
      async () => {
        const users = (await gateway.users.list()).filter((user) => user.status !== 'revoked');
        return { usage: await gateway.userLimits.reportAll(users) };
      },
    );
    typed.get(
      '/api/me/usage',
      {
        config: { access: 'user' },
        schema: {
          tags,
          summary: 'Your requests, tokens and spend today, and the limits you are held to',
          security,
        },
      },
      async (request) => {
        const caller = request.caller;
        const user = caller?.kind === 'user' ? await gateway.users.get(caller.owner) : undefined;
        if (!user) {
          return {
            usage: null,
            message: 'Only user tokens have limits; this token has none.',
          };
        }
        return { usage: await gateway.userLimits.report(user) };
      },
    );
  };
}
