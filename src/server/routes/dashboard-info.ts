import type { FastifyPluginAsync } from 'fastify';
import type { Gateway } from '../../gateway.js';
import { loadTaskProfiles } from '../../selection/task-profile.js';

const security = [{ adminToken: [] }];

/**
 * What the dashboard needs to know that no other route says: who the signed-in token
 * belongs to (so the page shows a user only their own things), and the tasks selection
 * knows, with their descriptions.
 */
export function dashboardInfoRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const config = { access: 'user' as const };

    app.get(
      '/api/me',
      {
        config,
        schema: {
          tags: ['dashboard'],
          summary: 'Who this token belongs to: admin or user, name and key owner',
          security,
        },
      },
      async (request) => {
        const caller = request.caller;
        return {
          kind: caller?.kind ?? 'anonymous',
          name: caller && 'name' in caller ? caller.name : null,
          owner: caller?.owner ?? null,
          providers: gateway.providers.size,
        };
      },
    );

    app.get(
      '/api/tasks',
      {
        config,
        schema: {
          tags: ['selection'],
          summary: 'The therapeutic tasks selection knows, with their descriptions',
          security,
        },
      },
      async () => {
        const profiles = loadTaskProfiles(gateway.config.selection.tasks);
        const names = gateway.selection.tasks();
        return {
          tasks: names.map((name) => ({
            name,
            description: profiles.get(name)?.description ?? null,
          })),
        };
      },
    );
  };
}
