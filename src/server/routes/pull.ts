import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { preparePull } from '../../resources/pull-model.js';
import { GatewayError } from '../../spec/errors.js';
import type { PullProgress } from '../../spec/local-model.js';
import { publicErrorBody, toGatewayError } from '../error-handler.js';

const bearer = [{ adminToken: [] }];

const what =
  'Send {"model": "hf:<user>/<repo>/<file>.gguf" or "<ollama provider>/<model>", "sha256"?: "<64 hex digits>", "provider"?: "<embedded provider id>"}';

const pullBody = z.strictObject(
  {
    model: z
      .string({ error: `model is required. ${what}.` })
      .trim()
      .min(3, { error: `model is too short. ${what}.` }),
    sha256: z.string({ error: 'sha256 must be a string of 64 hexadecimal digits' }).optional(),
    provider: z
      .string({ error: 'provider must be the id of an embedded provider' })
      .min(1)
      .optional(),
    revision: z
      .string({ error: 'revision must be a branch, tag or commit name' })
      .min(1)
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown field ${issue.keys.join(', ')}. ${what}.`
        : `${what}.`,
  },
);

/** Progress events at most this often, besides every change of status and the last byte. */
const progressEveryMs = 100;
/** A comment line this often keeps proxies from closing a quiet stream (a long sha256 check). */
const keepAliveMs = 15_000;

/**
 * `POST /api/local-models/pull`: downloads a model with live progress as server-sent
 * events, through the same pull as `tta-models pull`. A client that goes away aborts the
 * download; a `hf:` file's `.part` stays, so the next pull resumes it.
 */
export function pullRoutes(gateway: Gateway): FastifyPluginAsync {
  // Destinations being downloaded now: a second pull of one would write the same file.
  const inFlight = new Set<string>();
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.post(
      '/api/local-models/pull',
      {
        schema: {
          tags: ['resources'],
          summary:
            'Pulls a model (hf:<user>/<repo>/<file>.gguf, or <ollama provider>/<model>) with progress as server-sent events: `progress` { receivedBytes, totalBytes, status }, then `done` with the result or `error` with an OpenAI-shaped error',
          security: bearer,
          body: pullBody,
        },
      },
      async (request, reply) => {
        const { model, sha256, provider, revision } = request.body;
        // Bad input is refused here, as a plain 400, before the stream starts.
        const pull = preparePull(
          {
            model,
            ...(sha256 === undefined ? {} : { sha256 }),
            ...(provider === undefined ? {} : { provider }),
            ...(revision === undefined ? {} : { revision }),
          },
          {
            entries: gateway.config.providers,
            modelsHome: path.join(gateway.paths.home, 'models'),
            providers: gateway.providers,
            openVaultKey: (id) => gateway.vault.open(id),
          },
        );
        if (inFlight.has(pull.key)) {
          throw new GatewayError(
            `${pull.reference} is being pulled already; wait for that pull to finish (or stop it) and try again.`,
            {
              status: 409,
              type: 'invalid_request_error',
              code: 'pull_in_progress',
              param: 'model',
            },
          );
        }
        inFlight.add(pull.key);

        const controller = new AbortController();
        let finished = false;
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        response.flushHeaders();
        const send = (event: string, data: unknown) => {
          if (!response.destroyed)
            response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        // The client going away stops the download (the `.part` file stays for a resume).
        response.on('close', () => {
          if (!finished) controller.abort();
        });
        const keepAlive = setInterval(() => {
          if (!response.destroyed) response.write(': still pulling\n\n');
        }, keepAliveMs);

        let lastStatus: string | undefined;
        let lastSentAt = 0;
        const onProgress = (progress: PullProgress) => {
          const now = Date.now();
          const last =
            progress.completedBytes !== undefined &&
            progress.completedBytes === progress.totalBytes;
          if (progress.status === lastStatus && !last && now - lastSentAt < progressEveryMs) return;
          lastStatus = progress.status;
          lastSentAt = now;
          send('progress', {
            receivedBytes: progress.completedBytes ?? null,
            totalBytes: progress.totalBytes ?? null,
            status: progress.status,
          });
        };

        request.log.info({ model: pull.reference }, 'pull started');
        try {
          const result = await pull.run({ onProgress, signal: controller.signal });
          finished = true;
          request.log.info({ model: result.model, upToDate: result.upToDate }, 'pull done');
          send('done', result);
        } catch (error) {
          finished = true;
          const mapped = toGatewayError(error, gateway.config.server.bodyLimitBytes);
          if (controller.signal.aborted) {
            request.log.info({ model: pull.reference }, 'pull stopped: the client went away');
          } else {
            request.log.warn({ model: pull.reference, code: mapped.code }, mapped.message);
          }
          send('error', publicErrorBody(mapped, gateway.vault.cachedSecrets()));
        } finally {
          clearInterval(keepAlive);
          inFlight.delete(pull.key);
          response.end();
        }
      },
    );
  };
}
