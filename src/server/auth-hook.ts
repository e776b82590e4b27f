import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../access/access-control.js';
import type { Caller } from '../access/caller.js';
import { bearerToken } from '../access/token-hash.js';
import { AuthenticationError, GatewayError } from '../spec/index.js';

/** Who a route admits: `admin` (the default under `/api/`) or any `user` with a token. */
export type RouteAccess = 'admin' | 'user' | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (set by the auth hook on `/v1` and `/api` routes). */
    caller: Caller | undefined;
  }
  interface FastifyContextConfig {
    /** Who may call the route; `/api/` routes default to `admin`. */
    access?: RouteAccess;
  }
}

/**
 * Checks credentials before any route runs: `/api/*` routes need the admin token
 * unless they admit users; `/v1/*` needs a user token or client key once either
 * exists. Everything else is public.
 */
export function createAuthHook(access: AccessControl) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const url = request.url;
    if (url.startsWith('/v1/')) {
      const token = bearerToken(request.headers);
      const caller = await access.dataPlaneCaller(token);
      if (!caller) {
        await refuseIfExpired(access, token);
        throw new AuthenticationError(
          'Missing or unknown API key: send "Authorization: Bearer <key>" with your user token or a key from auth.apiKeys in config.yaml.',
        );
      }
      request.caller = caller;
      return;
    }
    if (!url.startsWith('/api/')) return;
    const routeAccess = request.routeOptions.config.access ?? 'admin';
    if (routeAccess === 'public') return;
    const token = bearerToken(request.headers);
    if (!token) {
      throw new AuthenticationError(
        'The management API needs a token: send "Authorization: Bearer <token>" (the admin token printed on first start, or your user token).',
      );
    }
    const caller = await access.identify(token);
    if (!caller) {
      await refuseIfExpired(access, token);
      throw new AuthenticationError(
        'Unknown or revoked token. `tta-models admin-token --rotate` makes a new admin token; an admin can issue user tokens with `tta-models users add`.',
      );
    }
    if (routeAccess === 'admin' && caller.kind !== 'admin') {
      throw new GatewayError('This route is for administrators; your token may not use it.', {
        status: 403,
        type: 'permission_error',
        code: 'admin_required',
      });
    }
    request.caller = caller;
  };
}

/** Throws the 401 of an expired user token, saying when it expired and how to get a new one. */
async function refuseIfExpired(access: AccessControl, token: string | undefined): Promise<void> {
  const expiredAt = await access.expiredAt(token);
  if (expiredAt === undefined) return;
  throw new GatewayError(
    `Your token expired at ${new Date(expiredAt).toISOString()}. Ask an administrator for a new one: \`tta-models users rotate <your name> --expires-in 30d\` (or POST /api/users/<your name>/rotate) prints a fresh token.`,
    { status: 401, type: 'authentication_error', code: 'token_expired' },
  );
}
