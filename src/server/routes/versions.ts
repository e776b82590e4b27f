import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import type { VersionNoticeKind } from '../../storage/index.js';
import type { VersionActor } from '../../versions/model-versions.js';
import { queryBoolean } from './catalog.js';

const security = [{ adminToken: [] }];
const tags = ['versions'];

const noticeKinds = [
  'new_version',
  'new_model',
  'removed',
  'returned',
  'deprecation',
  'conflict',
  'conflict_resolved',
] as const satisfies readonly VersionNoticeKind[];

const subject = z.string().min(1).describe('route:<name> (a route of config.yaml) or alias:<name>');
const reason = z.string().min(3).describe('Why: recorded in the audit log with who and when');

/** Who is changing versions: the admin token, or an admin user's token name. */
function actorOf(request: FastifyRequest): VersionActor {
  const caller = request.caller;
  const actor = caller && 'name' in caller ? caller.name : 'admin';
  return { actor, channel: 'api' };
}

/**
 * `/api/versions`: model versions, change notices, pins with promotion and rollback,
 * deprecations and migration, conflicts and the audit log. Administrators only.
 */
export function versionsRoutes(gateway: Gateway): FastifyPluginAsync {
  const versions = gateway.versions;
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();

    typed.get(
      '/api/versions',
      {
        schema: {
          tags,
          summary: 'Models with their served version, pins and retirement',
          description:
            'By default the models that matter: used by a route or pin, changed, or retiring. `all=true` lists every model with a recorded version.',
          security,
          querystring: z.object({
            all: queryBoolean.optional(),
            model: z.string().min(1).optional(),
            provider: z.string().min(1).optional(),
          }),
        },
      },
      async (request) => ({ models: await versions.list(request.query) }),
    );

    typed.get(
      '/api/versions/models/*',
      {
        schema: {
          tags,
          summary: 'One model: every version with what changed, its pins, dependents and notices',
          security,
        },
      },
      async (request) => versions.show((request.params as { '*': string })['*']),
    );

    typed.get(
      '/api/versions/notices',
      {
        schema: {
          tags,
          summary: 'Change, removal, deprecation and conflict notices, newest first',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(50),
            model: z.string().min(1).optional(),
            since: z.coerce.number().int().optional().describe('Epoch milliseconds'),
            kind: z.enum(noticeKinds).optional(),
          }),
        },
      },
      async (request) => {
        const { kind, ...query } = request.query;
        return {
          notices: await versions.notices({ ...query, ...(kind ? { kinds: [kind] } : {}) }),
        };
      },
    );

    typed.get(
      '/api/versions/pins',
      {
        schema: {
          tags,
          summary: 'Pins in force; with `subject`, its whole pin history',
          security,
          querystring: z.object({ subject: z.string().min(1).optional() }),
        },
      },
      async (request) => versions.pins(request.query),
    );

    typed.post(
      '/api/versions/pin',
      {
        schema: {
          tags,
          summary:
            'Pin a route or alias to a served version of a model (default: the one served now)',
          security,
          body: z.object({
            subject,
            model: z.string().min(1).describe('<providerId>/<modelId>'),
            version: z.string().min(1).optional().describe('A version id, or a unique part of it'),
            reason,
          }),
        },
      },
      async (request) => versions.pin({ ...request.body, by: actorOf(request) }),
    );

    typed.post(
      '/api/versions/promote',
      {
        schema: {
          tags,
          summary: "Move a pin to its model's served version, or to another model of the route",
          security,
          body: z.object({
            subject,
            to: z.string().min(1).optional().describe('Another model of the route'),
            version: z.string().min(1).optional(),
            reason,
            skipBenchmark: z.boolean().optional(),
          }),
        },
      },
      async (request) => versions.promote({ ...request.body, by: actorOf(request) }),
    );

    typed.post(
      '/api/versions/rollback',
      {
        schema: {
          tags,
          summary: 'Return a route or alias to its previous pin, in one step',
          security,
          body: z.object({ subject, reason }),
        },
      },
      async (request) => versions.rollback({ ...request.body, by: actorOf(request) }),
    );

    typed.post(
      '/api/versions/unpin',
      {
        schema: {
          tags,
          summary: 'Remove a pin',
          security,
          body: z.object({ subject, reason }),
        },
      },
      async (request) => versions.unpin({ ...request.body, by: actorOf(request) }),
    );

    typed.get(
      '/api/versions/deprecations',
      {
        schema: {
          tags,
          summary: 'Models that retire or are gone: timeline, dependents, suggested migration',
          security,
        },
      },
      async () => ({ deprecations: await versions.deprecations() }),
    );

    typed.post(
      '/api/versions/migrate',
      {
        schema: {
          tags,
          summary: 'Move every route and pin from one model to another',
          description:
            'Rewrites the routes of config.yaml atomically (comments kept, the old file as config.yaml.bak), moves the pins with audit entries, and applies the new routes at once.',
          security,
          body: z.object({
            from: z.string().min(1),
            to: z.string().min(1),
            reason,
            dryRun: z.boolean().optional(),
          }),
        },
      },
      async (request) => versions.migrate({ ...request.body, by: actorOf(request) }),
    );

    typed.get(
      '/api/versions/conflicts',
      {
        schema: {
          tags,
          summary:
            'Version conflicts, each resolvable automatically or with the steps to resolve it',
          security,
        },
      },
      async () => versions.conflicts(),
    );

    typed.post(
      '/api/versions/conflicts/resolve',
      {
        schema: {
          tags,
          summary: 'Apply the safe resolutions now (they also run after every sync)',
          security,
        },
      },
      async (request) => versions.conflicts({ resolve: true, by: actorOf(request) }),
    );

    typed.get(
      '/api/versions/audit',
      {
        schema: {
          tags,
          summary: 'Who changed pins and routes, when and why, newest first',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(50),
            subject: z.string().min(1).optional(),
            action: z.string().min(1).optional(),
          }),
        },
      },
      async (request) => ({ entries: await versions.audit(request.query) }),
    );
  };
}
