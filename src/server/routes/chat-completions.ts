import type { FastifyPluginAsync } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Answered, ChatContext } from '../../dispatch/chat-dispatcher.js';
import type { Gateway } from '../../gateway.js';
import { preferencesSchema } from '../../selection/preferences.js';
import { type ChatRequest, InvalidRequestError } from '../../spec/index.js';
import { chatRequestPrecheck } from '../chat-request-precheck.js';
import { chatRequestSchema } from '../chat-request-schema.js';
import { publicErrorBody, toGatewayError } from '../error-handler.js';
import { createSseWriter } from '../sse.js';

/** What the client is told about how its answer came about. */
function answerHeaders(answered: Answered): Record<string, string> {
  const headers: Record<string, string> = { 'x-tta-model': answered.model };
  if (answered.attempts.length > 0) headers['x-tta-fallbacks'] = String(answered.attempts.length);
  if (answered.adaptations.length > 0) headers['x-tta-adapted'] = answered.adaptations.join('; ');
  if (answered.explanation) headers['x-tta-selection'] = answered.explanation;
  return headers;
}

const sessionIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** A header's value, else a metadata field's, when it is a string. */
function headerOr(header: string | string[] | undefined, field: unknown): string | undefined {
  if (typeof header === 'string') return header;
  return typeof field === 'string' ? field : undefined;
}

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
        // Most bodies pass a quick read-only check; the rest (and every bad one) go through
        // zod, so errors are exactly zod's. Zod alone would copy every message of every request.
        validatorCompiler: (route) => {
          if (route.httpPart !== 'body') throw new Error(`no ${route.httpPart} schema here`);
          const zod = validatorCompiler({ ...route, schema: chatRequestSchema });
          return (data: unknown) => (chatRequestPrecheck(data) ? { value: data } : zod(data));
        },
      },
      async (request, reply) => {
        const body = request.body as ChatRequest;
        // A client that goes away must not keep an upstream model busy.
        const abort = new AbortController();
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) abort.abort();
        });
        const metadata = (
          typeof body.metadata === 'object' && body.metadata !== null ? body.metadata : {}
        ) as Record<string, unknown>;
        const task = headerOr(request.headers['x-tta-task'], metadata.task);
        const sessionId = headerOr(request.headers['x-tta-session'], metadata.session_id);
        if (sessionId !== undefined && !sessionIdPattern.test(sessionId)) {
          throw new InvalidRequestError(
            'The session id (x-tta-session or metadata.session_id) must be 1-128 letters, digits, ".", "_", ":" or "-".',
            'metadata.session_id',
          );
        }
        const preferences =
          metadata.preferences === undefined
            ? undefined
            : preferencesSchema.safeParse(metadata.preferences);
        if (preferences && !preferences.success) {
          throw new InvalidRequestError(
            `metadata.preferences is invalid: ${preferences.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}. Allowed: localOnly, freeOnly, favourite, avoid.`,
            'metadata.preferences',
          );
        }
        const context: ChatContext = {
          requestId: request.id,
          ...(preferences?.success ? { preferences: preferences.data } : {}),
          signal: abort.signal,
          owner: request.caller?.owner ?? 'operator',
          ...(task === undefined ? {} : { task }),
          ...(sessionId === undefined ? {} : { sessionId }),
        };
        // Only users have limits: admins, client keys and the open data plane skip this.
        const caller = request.caller;
        if (caller?.kind === 'user') {
          try {
            context.charge = await gateway.userLimits.admit(caller);
          } catch (error) {
            gateway.chat.refused(body, context, error);
            throw error;
          }
        }

        if (body.stream !== true) {
          const answered = await gateway.chat.complete(body, context);
          return reply.headers(answerHeaders(answered)).send(answered.completion);
        }

        const started = await gateway.chat.stream(body, context);
        reply.hijack();
        const sse = createSseWriter(reply.raw, {
          ...answerHeaders(started),
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
