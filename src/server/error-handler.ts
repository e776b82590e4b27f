import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { scrubSecrets } from '../secrets/index.js';
import {
  ApiCallError,
  GatewayError,
  InvalidRequestError,
  type OpenAIErrorBody,
  UsageLimitError,
} from '../spec/index.js';
import { databaseUnavailableExplanations, databaseUnavailableReason } from '../storage/index.js';

/** OpenAI-shaped body for any status and message. */
export function errorBody(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, code, param } };
}

/** Seconds a client is told to wait before retrying while the database is unavailable. */
export const databaseRetryAfterSeconds = 5;

/**
 * The 503 for a database that is locked, full or unreachable for a while: a client may
 * retry (most chat completions do not need the database and keep answering meanwhile).
 */
function databaseUnavailableError(error: unknown): GatewayError | undefined {
  const reason = databaseUnavailableReason(error);
  if (reason === undefined) return undefined;
  return new GatewayError(
    `The database is unavailable right now (${databaseUnavailableExplanations[reason]}), so this request was not completed; retry in a few seconds.`,
    { status: 503, type: 'server_error', code: 'database_unavailable', cause: error },
  );
}

/** Turns whatever was thrown into the gateway error a client should see. */
export function toGatewayError(error: unknown, bodyLimitBytes: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const unavailable = databaseUnavailableError(error);
  if (unavailable) return unavailable;
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const [issue] = fastifyError.validation;
    // The body itself (instancePath `/` or empty) is no param.
    const param = issue?.instancePath.replace(/^\//, '').replace(/\//g, '.') || null;
    const where = param ? `${param}: ` : '';
    return new InvalidRequestError(
      `Invalid request body: ${where}${issue?.message ?? 'does not match the schema'}`,
      param,
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError(
        `The request body is not valid JSON (${fastifyError.message}). Send a JSON object.`,
        null,
        'invalid_json',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(
        `The request body is larger than the ${bodyLimitBytes}-byte limit. Shorten the conversation, or raise server.bodyLimitBytes in config.yaml.`,
        { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError(
        'Unsupported Content-Type: send the body as JSON with "Content-Type: application/json" (curl: -H "content-type: application/json").',
        {
          status: 415,
          type: 'invalid_request_error',
          code: 'unsupported_media_type',
        },
      );
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError(fastifyError.message, {
      status,
      type: 'invalid_request_error',
      code: fastifyError.code ?? 'bad_request',
    });
  }
  return new GatewayError(
    'Internal error in tta-models; the request id in x-request-id finds it in the log.',
    {
      status: 500,
      type: 'server_error',
      code: 'internal_error',
      cause: error,
    },
  );
}

/**
 * The body a client sees for an error, with anything shaped like a key, and every
 * key the vault holds, removed from the message (upstreams sometimes quote keys).
 */
export function publicErrorBody(
  error: GatewayError,
  knownSecrets: Iterable<string>,
): OpenAIErrorBody {
  const body = error.toJSON();
  body.error.message = scrubSecrets(body.error.message, knownSecrets);
  return body;
}

/** Fastify error handler: one place where errors become OpenAI-shaped JSON. */
export function createErrorHandler(bodyLimitBytes: number, knownSecrets: () => Iterable<string>) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toGatewayError(error, bodyLimitBytes);
    if (mapped instanceof ApiCallError) {
      // An upstream failing is an event to note, not a bug of ours: no stack trace.
      request.log.warn(
        { provider: mapped.providerId, code: mapped.code, upstreamStatus: mapped.statusCode },
        mapped.message,
      );
    } else if (mapped.code === 'database_unavailable') {
      // A dependency down for a while is an event to note, not a bug of ours.
      request.log.warn({ err: error, code: mapped.code }, mapped.message);
      reply.header('retry-after', String(databaseRetryAfterSeconds));
    } else if (mapped.status >= 500) {
      request.log.error({ err: error }, mapped.message);
    } else {
      request.log.info({ code: mapped.code, status: mapped.status }, mapped.message);
    }
    if (
      (mapped instanceof ApiCallError || mapped instanceof UsageLimitError) &&
      mapped.retryAfterMs !== undefined
    ) {
      reply.header('retry-after', String(Math.ceil(mapped.retryAfterMs / 1000)));
    }
    return reply.status(mapped.status).send(publicErrorBody(mapped, knownSecrets()));
  };
}
