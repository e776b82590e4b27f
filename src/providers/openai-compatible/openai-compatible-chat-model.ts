/**
 * A model behind `POST {baseUrl}/chat/completions`. The request body passes through
 * untouched (tools, response_format, unknown fields) except for `model` and `stream`.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../spec/chat.js';
import { ApiCallError } from '../../spec/errors.js';
import type { CallOptions, ChatModel } from '../../spec/provider.js';
import { rememberRawJson } from '../../spec/raw-json.js';
import { parseSse } from '../sse.js';
import { inBandError, malformedResponse } from '../upstream-error.js';
import type { UpstreamContext } from './upstream-context.js';

/** Creates the chat model `modelId` of an OpenAI-compatible upstream. */
export function createOpenAICompatibleChatModel(
  modelId: string,
  context: UpstreamContext,
): ChatModel {
  const { providerId, http } = context;
  const url = `${context.baseUrl}/chat/completions`;

  async function generate(
    request: ChatRequest,
    options: CallOptions = {},
  ): Promise<ChatCompletion> {
    // OpenAI rejects stream_options on a request that does not stream.
    const { stream_options: _streamOptions, ...rest } = request;
    const answer = await http.postJson(url, { ...rest, model: modelId, stream: false }, options);
    const error = inBandError(providerId, answer);
    if (error !== undefined) throw error;
    if (!hasChoices(answer)) throw malformedResponse(providerId, 'chat completion (no choices)');
    return answer as ChatCompletion;
  }

  async function* stream(
    request: ChatRequest,
    options: CallOptions = {},
  ): AsyncGenerator<ChatCompletionChunk> {
    const body = await http.postStream(url, { ...request, model: modelId, stream: true }, options);
    let done = false;
    let finished = false;
    for await (const event of parseSse(body)) {
      // Read on to the end of the body after [DONE], so the connection goes back to the pool.
      if (done) continue;
      if (event.data === '[DONE]') {
        done = true;
        continue;
      }
      const chunk = parseChunk(providerId, event.data);
      finished ||= chunk.choices.some((choice) => choice.finish_reason != null);
      yield chunk;
    }
    // A cut stream must fail loudly, not pass for a short answer.
    if (!done && !finished) {
      throw new ApiCallError({
        message: `${providerId}: upstream stream ended before [DONE]`,
        providerId,
        code: 'upstream_incomplete_response',
        isRetryable: true,
      });
    }
  }

  return { providerId, modelId, generate, stream };
}

/** Parses one `data:` payload into a chunk, or throws the error it carries. */
function parseChunk(providerId: string, data: string): ChatCompletionChunk {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch (error) {
    throw malformedResponse(providerId, 'stream event (not JSON)', error);
  }
  const error = inBandError(providerId, payload);
  if (error !== undefined) throw error;
  if (!hasChoices(payload)) throw malformedResponse(providerId, 'stream chunk (no choices)');
  // Relayed untouched, the chunk goes out as it came in, unless its event spanned several
  // `data:` lines (joined by newlines, which one SSE line cannot hold).
  if (!data.includes('\n')) rememberRawJson(payload, data);
  return payload as ChatCompletionChunk;
}

function hasChoices(payload: unknown): payload is { choices: unknown[] } {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    Array.isArray((payload as { choices?: unknown }).choices)
  );
}
