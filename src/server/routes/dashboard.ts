import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { errorBody } from '../error-handler.js';

// Same relative path from src/server/routes and dist/server/routes.
const defaultDistFolder = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Vite names every asset after its content, so a name never changes meaning. */
const assetName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The dashboard only talks to its own origin; nothing inline, nothing framed. A page that
 * takes provider keys gets no third-party script, and no referrer leaves it.
 */
const pageHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const notBuiltPage = (folder: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tta-models: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built yet</h1>
<p>The gateway runs; only the web dashboard's files are missing from <code>${folder}</code>.</p>
<p>Build them in the tta-models folder with <code>npm run build</code> (<code>npm install</code> builds them too), then reload this page.</p>
<p>Meanwhile: the OpenAI-compatible API is at <a href="/v1/models">/v1</a>, the management API under <code>/api</code>, its reference at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/** Options of {@link dashboardRoute}. */
export interface DashboardOptions {
  /** The folder Vite built the dashboard into (default `web/dist`). */
  distFolder?: string;
}

/**
 * `GET /` and `GET /assets/*`: the dashboard, a React app built by Vite into `web/dist`.
 * Assets carry their content hash in their names and are cached for a year; `index.html`
 * is revalidated on every load so a new build shows at once. Without a build, `/` says
 * how to make one.
 */
export function dashboardRoute(options: DashboardOptions = {}): FastifyPluginAsync {
  const folder = options.distFolder ?? defaultDistFolder;
  const assets = path.join(folder, 'assets');
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      reply.headers({ ...pageHeaders, 'cache-control': 'no-cache' });
      const page = await readIfExists(path.join(folder, 'index.html'));
      if (page === undefined) {
        return reply.status(503).type('text/html; charset=utf-8').send(notBuiltPage(folder));
      }
      return reply.type('text/html; charset=utf-8').send(page);
    });

    app.get<{ Params: { name: string } }>(
      '/assets/:name',
      { schema: { hide: true } },
      async (request, reply) => {
        const name = request.params.name;
        const type = contentTypes[path.extname(name)];
        const body =
          assetName.test(name) && type ? await readIfExists(path.join(assets, name)) : undefined;
        if (body === undefined || type === undefined) return notFound(reply, name);
        return reply
          .headers({
            'content-type': type,
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          })
          .send(body);
      },
    );
  };
}

function notFound(reply: FastifyReply, name: string) {
  return reply
    .status(404)
    .headers({ 'cache-control': 'no-store' })
    .send(
      errorBody(
        `No dashboard asset "${name}"; reload the page to get the current build.`,
        'invalid_request_error',
        'asset_not_found',
      ),
    );
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
