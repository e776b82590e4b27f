import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Gateway } from '../gateway.js';
import { createAuthHook } from './auth-hook.js';
import { createErrorHandler, errorBody, toGatewayError } from './error-handler.js';
import { lazyRequestLogger } from './lazy-request-logger.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { benchRoutes } from './routes/bench.js';
import { benchMonitoringRoutes } from './routes/bench-monitoring.js';
import { catalogRoutes } from './routes/catalog.js';
import { chatCompletionsRoute } from './routes/chat-completions.js';
import { dashboardRoute } from './routes/dashboard.js';
import { dashboardInfoRoutes } from './routes/dashboard-info.js';
import { keysRoutes } from './routes/keys.js';
import { modelsRoute } from './routes/models.js';
import { operationsRoute } from './routes/operations.js';
import { pullRoutes } from './routes/pull.js';
import { resilienceRoutes } from './routes/resilience.js';
import { resourcesRoutes } from './routes/resources.js';
import { selectionRoutes } from './routes/selection.js';
import { setupRoutes } from './routes/setup.js';
import { ttaCompatRoutes } from './routes/tta-compat.js';
import { usersRoutes } from './routes/users.js';
import { versionsRoutes } from './routes/versions.js';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the HTTP face of a gateway: the OpenAI-compatible data plane, the
 * management API, operations endpoints, the OpenAPI document and the dashboard.
 * The only module that knows the HTTP framework.
 */
export async function createApp(gateway: Gateway): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: gateway.logger as FastifyBaseLogger,
    // One line per request, written by our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: gateway.config.server.bodyLimitBytes,
    // Keep a caller's request id when it is sane, so traces join up across services.
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming)
        ? incoming
        : randomUUID();
    },
    forceCloseConnections: 'idle',
    // Errors the router raises before any route runs (a path parameter too long, a bad
    // URL encoding) get the same OpenAI-shaped body as every other error.
    frameworkErrors: (error, _request, reply) => {
      const mapped = toGatewayError(error, gateway.config.server.bodyLimitBytes);
      return (reply as FastifyReply).status(mapped.status).send(mapped.toJSON());
    },
  });
  // JSON only: a text or form body gets a 415 that says what to send, not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(
    createErrorHandler(gateway.config.server.bodyLimitBytes, () => gateway.vault.cachedSecrets()),
  );
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        errorBody(
          `No route ${request.method} ${request.url}. The OpenAI API is under /v1, the management API under /api, the reference at /docs.`,
          'invalid_request_error',
          'route_not_found',
        ),
      ),
  );
  // Callback hooks where nothing is awaited: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', createAuthHook(gateway.access));
  // The line every request writes holds no credential field, so it skips pino's field
  // redaction (half the cost of a line); the finished line is still scrubbed of secrets.
  const accessLog = gateway.logger.child({}, { redact: [] });
  app.addHook('onResponse', (request, reply, done) => {
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request',
    );
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'tta-models',
        description:
          'Model gateway of the TTA platform: OpenAI-compatible data plane under /v1, management under /api.',
        version: '0.1.0',
      },
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(operationsRoute(gateway));
  await app.register(modelsRoute(gateway));
  await app.register(chatCompletionsRoute(gateway));
  await app.register(adminRoutes(gateway));
  await app.register(keysRoutes(gateway));
  await app.register(usersRoutes(gateway));
  await app.register(auditRoutes(gateway));
  await app.register(resilienceRoutes(gateway));
  await app.register(selectionRoutes(gateway));
  await app.register(resourcesRoutes(gateway));
  await app.register(pullRoutes(gateway));
  await app.register(catalogRoutes(gateway));
  await app.register(ttaCompatRoutes(gateway));
  await app.register(versionsRoutes(gateway));
  await app.register(benchRoutes(gateway));
  await app.register(benchMonitoringRoutes(gateway));
  // The catalog syncs in the background only while serving; starting never waits for it.
  app.addHook('onListen', async () => gateway.catalog.startBackgroundSync());
  app.addHook('onClose', async () => gateway.catalog.stopBackgroundSync());
  // Rollups and alert evaluation run periodically only while serving, too.
  app.addHook('onListen', async () => gateway.benchmarks.startMonitoring());
  app.addHook('onClose', async () => gateway.benchmarks.stopMonitoring());
  await app.register(setupRoutes(gateway));
  await app.register(dashboardInfoRoutes(gateway));
  await app.register(dashboardRoute());
  return app;
}
