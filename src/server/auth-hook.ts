import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../access/access-control.js';
import { bearerToken } from '../access/token-hash.js';
import { AuthenticationError, GatewayError } from '../spec/index.js';

/**
 * Checks credentials before any route runs: `/api/*` needs the admin token,
 * `/v1/*` a client key when keys are configured. Everything else is public.
 */
export function createAuthHook(access: AccessControl) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const url = request.url;
    if (url.startsWith('/api/')) {
      const token = bearerToken(request.headers);
      if (!token) {
        throw new AuthenticationError(
          'The management API needs the admin token: send "Authorization: Bearer <token>". It was printed on first start; `tta-models admin-token --rotate` makes a new one.',
        );
      }
      if (!access.isAdmin(token)) {
        throw new GatewayError(
          'This token may not use the management API; it needs the admin token.',
          {
            status: 403,
            type: 'permission_error',
            code: 'admin_token_required',
          },
        );
      }
    } else if (
      url.startsWith('/v1/') &&
      access.dataPlaneLocked &&
      !access.mayCallModels(bearerToken(request.headers))
    ) {
      throw new AuthenticationError(
        'Missing or unknown API key: send "Authorization: Bearer <key>" with a key from auth.apiKeys in config.yaml.',
      );
    }
  };
}
