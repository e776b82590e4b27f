import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';

// Same relative path from src/server/routes and dist/server/routes.
const pageUrl = new URL('../../../web/index.html', import.meta.url);

/** `GET /`: the dashboard page (static; it reads the API from the browser). */
export function dashboardRoute(): FastifyPluginAsync {
  return async (app) => {
    const page = await readFile(pageUrl, 'utf8');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(page),
    );
  };
}
