import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../storage/index.js';

/** Who makes a change through the API, and why (the optional `x-tta-reason` header). */
export interface ApiAuditActor extends AuditActor {
  reason: string;
}

/**
 * The audit actor of an API request: an admin user's token name, or `admin` for the
 * admin token; the reason is `x-tta-reason` (at most 500 characters), else empty.
 */
export function auditActorOf(request: FastifyRequest, reason?: string): ApiAuditActor {
  const caller = request.caller;
  const header = request.headers['x-tta-reason'];
  return {
    actor: caller && 'name' in caller ? caller.name : 'admin',
    channel: 'api',
    reason: (reason ?? (typeof header === 'string' ? header : '')).slice(0, 500),
  };
}
