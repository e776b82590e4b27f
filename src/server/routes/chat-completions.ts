import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Gateway } from '../../gateway.js';
import type { ChatRequest } from '../../spec/index.js';
import { chatRequestSchema } from '../chat-request-schema.js';
import { publicErrorBody, toGatewayError } from '../error-handler.js';
import { createSseWriter } from '../sse.js';

/** `POST /v1/chat/completions`: OpenAI's endpoint, streamed or not, over every configured model. */
export function chatCompletionsRoute(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      '/v1/chat/completions',
      {
        schema: {
          tags: ['data plane'],
          summary: 'Create a chat completion (OpenAI wire format, SSE when stream is true)',
          body: chatRequestSchema,
        },
      },
      async (request, reply) => {
        const body = request.body as ChatRequest;
        // A client that goes away must not keep an upstream model busy.
        const abort = new AbortController();
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) abort.abort();
        });
        const task =
          typeof body.metadata === 'object' && body.metadata !== null
            ? (body.metadata as Record<string, unknown>).task
            : undefined;
        const context = {
          requestId: request.id,
          signal: abort.signal,
          owner: request.caller?.owner ?? 'operator',
          ...(typeof request.headers['x-tta-task'] === 'string'
            ? { task: request.headers['x-tta-task'] }
            : typeof task === 'string'
              ? { task }
              : {}),
        };

        if (body.stream !== true) {
          const { model, completion } = await gateway.chat.complete(body, context);
          return reply.header('x-tta-model', model).send(completion);
        }

        const started = await gateway.chat.stream(body, context);
        reply.hijack();
        const sse = createSseWriter(reply.raw, {
          'x-tta-model': started.model,
          'x-request-id': request.id,
        });
        try {
          for await (const chunk of started.chunks) await sse.chunk(chunk);
          await sse.done();
        } catch (error) {
          const mapped = toGatewayError(error, gateway.config.server.bodyLimitBytes);
          request.log.warn(
            { code: mapped.code, model: started.model },
            `stream failed after it started: ${mapped.message}`,
          );
          await sse.error(publicErrorBody(mapped, gateway.vault.cachedSecrets()));
          sse.end();
        }
      },
    );
  };
}
