import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { isLocalProvider } from '../../resources/local-resources.js';
import type { ResourceSample } from '../../resources/resource-monitor.js';
import { InvalidRequestError, ModelNotFoundError } from '../../spec/errors.js';

const bearer = [{ adminToken: [] }];

/** The machine and its local models under `/api/`: admin token required. */
export function resourcesRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/api/resources',
      {
        schema: {
          tags: ['resources'],
          summary:
            'This machine now: RAM, CPU, GPUs, disk, loaded local models, what a new model may use, incidents',
          security: bearer,
        },
      },
      async () => gateway.resources.report(),
    );

    typed.get(
      '/api/resources/stream',
      {
        schema: {
          tags: ['resources'],
          summary: 'Live feed (server-sent events): one `sample` event per resource sample',
          security: bearer,
        },
      },
      async (request, reply) => {
        const { monitor } = gateway.resources;
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        const send = (sample: ResourceSample) => {
          if (reply.raw.destroyed) return;
          const event = {
            takenAt: sample.snapshot.takenAt,
            memory: sample.snapshot.memory,
            process: sample.snapshot.process,
            cpu: sample.snapshot.cpu,
            gpus: sample.snapshot.gpus,
            loaded: sample.loaded,
            thresholdBytes: sample.thresholdBytes,
            underPressure: sample.underPressure,
          };
          reply.raw.write(`event: sample\ndata: ${JSON.stringify(event)}\n\n`);
        };
        const unsubscribe = monitor.subscribe(send);
        reply.raw.on('close', unsubscribe);
        // Sampling runs while someone watches, even without a local provider.
        monitor.start();
        await monitor
          .sample()
          .catch((error: unknown) => request.log.warn({ err: error }, 'sample failed'));
      },
    );

    typed.get(
      '/api/local-models',
      {
        schema: {
          tags: ['resources'],
          summary: 'Every local model with what it needs beside what the machine has',
          security: bearer,
        },
      },
      async () => ({ models: await gateway.resources.localModels() }),
    );

    typed.post(
      '/api/local-models/unload',
      {
        schema: {
          tags: ['resources'],
          summary: 'Takes a local model out of memory',
          security: bearer,
          body: z.object({ model: z.string().min(3) }),
        },
      },
      async (request) => {
        const name = request.body.model;
        const slash = name.indexOf('/');
        const provider = gateway.providers.get(name.slice(0, Math.max(0, slash)));
        if (!provider)
          throw new ModelNotFoundError(
            `No provider serves "${name}"; name a local model as <provider>/<model>.`,
          );
        if (!isLocalProvider(provider))
          throw new InvalidRequestError(
            `"${provider.id}" is not a local provider; only local models can be unloaded.`,
            'model',
          );
        return { model: name, unloaded: await provider.local.unload(name.slice(slash + 1)) };
      },
    );
  };
}
