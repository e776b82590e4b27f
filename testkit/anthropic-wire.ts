/**
 * Anthropic's Messages API: `POST /v1/messages` (JSON, or SSE events `message_start`,
 * `content_block_*`, `message_delta`, `message_stop`, `ping`, `error`), `GET /v1/models`
 * with cursor paging, `x-api-key` + `anthropic-version` headers and
 * `{ type: 'error', error: { type, message } }` bodies. It validates what the real API
 * rejects (system roles in `messages`, a missing `max_tokens`) so mapping bugs show up.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type FakeAnswer,
  type FlavorWire,
  replyText,
  requestedModel,
  splitText,
  sseFrame,
  type WireRequest,
  type WireRoute,
} from './fake-wire.js';

/** Anthropic's error type for a status. */
function errorTypeOf(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Anthropic's error body for a status. */
export function anthropicErrorAnswer(
  status: number,
  message: string,
): FakeAnswer & { kind: 'json' } {
  return {
    kind: 'json',
    status,
    body: { type: 'error', error: { type: errorTypeOf(status), message } },
  };
}

/** The reply's finish reason in Anthropic's words; Anthropic's own pass through. */
function stopReasonOf(finishReason: string): string {
  const mapped: Record<string, string> = {
    stop: 'end_turn',
    length: 'max_tokens',
    tool_calls: 'tool_use',
  };
  return mapped[finishReason] ?? finishReason;
}

/** What the real API would reject in a messages request, or undefined. */
function invalidRequest(request: WireRequest): string | undefined {
  if (request.headers['anthropic-version'] === undefined)
    return 'anthropic-version: header is required';
  const { max_tokens: maxTokens, messages } = request.body;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)
    return 'max_tokens: Field required';
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: Field required';
  for (const message of messages as Array<{ role?: unknown }>) {
    if (message.role !== 'user' && message.role !== 'assistant') {
      return `messages: Unexpected role "${String(message.role)}". Use the top-level \`system\` parameter.`;
    }
  }
  return undefined;
}

/** Answers `POST /v1/messages`. */
function messagesAnswer(request: WireRequest): FakeAnswer {
  const problem = invalidRequest(request);
  if (problem !== undefined) return anthropicErrorAnswer(400, problem);
  const id = `msg_fake_${request.sequence}`;
  const model = requestedModel(request);
  const text = replyText(request);
  const { promptTokens, completionTokens, toolCalls } = request.reply;
  const stopReason = stopReasonOf(request.reply.finishReason);
  const stopSequences = request.body.stop_sequences as string[] | undefined;
  const stopSequence = stopReason === 'stop_sequence' ? (stopSequences?.[0] ?? null) : null;
  const toolBlocks = toolCalls.map((call) => ({
    type: 'tool_use',
    id: call.id,
    name: call.name,
    input: JSON.parse(call.arguments) as unknown,
  }));
  if (request.body.stream !== true) {
    const content = [...(text === '' ? [] : [{ type: 'text', text }]), ...toolBlocks];
    const body = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
    };
    const usage = { input_tokens: promptTokens, output_tokens: completionTokens };
    return { kind: 'json', status: 200, body: { ...body, stop_sequence: stopSequence, usage } };
  }
  const frame = (data: { type: string; [key: string]: unknown }): string =>
    sseFrame(data, data.type);
  const frames = [
    frame({
      type: 'message_start',
      message: {
        ...{ id, type: 'message', role: 'assistant', content: [], model },
        ...{ stop_reason: null, stop_sequence: null },
        usage: { input_tokens: promptTokens, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  if (text !== '' || toolCalls.length === 0) {
    frames.push(
      frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }),
    );
    frames.push(frame({ type: 'ping' }));
    for (const piece of splitText(text, request.reply.chunks)) {
      frames.push(
        frame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }),
      );
    }
    frames.push(frame({ type: 'content_block_stop', index }));
    index += 1;
  }
  for (const call of toolCalls) {
    const block = { type: 'tool_use', id: call.id, name: call.name, input: {} };
    frames.push(frame({ type: 'content_block_start', index, content_block: block }));
    for (const piece of splitText(call.arguments, 2)) {
      const delta = { type: 'input_json_delta', partial_json: piece };
      frames.push(frame({ type: 'content_block_delta', index, delta }));
    }
    frames.push(frame({ type: 'content_block_stop', index }));
    index += 1;
  }
  frames.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: stopSequence },
      usage: { output_tokens: completionTokens },
    }),
  );
  frames.push(frame({ type: 'message_stop' }));
  return { kind: 'sse', frames };
}

/** Answers `GET /v1/models` one page at a time (`limit`, `after_id`). */
function modelsAnswer(request: WireRequest): FakeAnswer {
  if (request.headers['anthropic-version'] === undefined) {
    return anthropicErrorAnswer(400, 'anthropic-version: header is required');
  }
  const limit = Number(request.query.get('limit') ?? 20);
  const afterId = request.query.get('after_id');
  const start =
    afterId === null ? 0 : request.models.findIndex((model) => model.id === afterId) + 1;
  const page = request.models.slice(start, start + limit).map((model) => ({
    type: 'model',
    id: model.id,
    display_name: model.name ?? model.id,
    created_at: '2025-02-19T00:00:00Z',
  }));
  return {
    kind: 'json',
    status: 200,
    body: {
      data: page,
      has_more: start + limit < request.models.length,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    },
  };
}

/** The Anthropic fake (`/v1`). */
export function createAnthropicWire(): FlavorWire {
  const routes = new Map<string, WireRoute>([
    ['POST /v1/messages', { route: 'chat', answer: messagesAnswer }],
    ['GET /v1/models', { route: 'models', answer: modelsAnswer }],
  ]);
  return {
    basePath: '/v1',
    routes,
    defaultModels: [
      { id: 'claude-sonnet-4-20250514', name: 'Claude Sonnet 4' },
      { id: 'claude-3-5-haiku-20241022', name: 'Claude Haiku 3.5' },
    ],
    checkAuth: (headers: IncomingHttpHeaders, expectedKey: string, echoKey?: boolean) => {
      const given = headers['x-api-key'];
      if (given === expectedKey) return undefined;
      const echoed = echoKey ? `: ${typeof given === 'string' ? given : '(none)'}` : '';
      return anthropicErrorAnswer(401, `invalid x-api-key${echoed}`);
    },
    errorAnswer: anthropicErrorAnswer,
    streamErrorFrame: (message) =>
      sseFrame({ type: 'error', error: { type: 'overloaded_error', message } }, 'error'),
  };
}
