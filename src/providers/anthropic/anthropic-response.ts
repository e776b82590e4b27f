/**
 * Anthropic Messages answers -> OpenAI shapes: content blocks to text and tool calls,
 * stop reasons to finish reasons, usage to prompt/completion tokens, errors to ApiCallError.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../spec/chat.js';
import { ApiCallError } from '../../spec/errors.js';

/** Token usage as Anthropic reports it. */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** A complete Anthropic message. */
export interface AnthropicMessageResponse {
  id: string;
  type: 'message';
  model: string;
  content: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason: string | null;
  usage?: AnthropicUsage;
}

/** Maps Anthropic's stop reason to OpenAI's finish reason. */
export function finishReasonOf(stopReason: string | null | undefined): FinishReason | null {
  switch (stopReason) {
    case undefined:
    case null:
      return null;
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn: the model stopped of its own accord.
      return 'stop';
  }
}

/** OpenAI usage from Anthropic's; cached prompt tokens count as prompt tokens. */
export function usageOf(usage: AnthropicUsage | undefined): Usage {
  const prompt =
    (usage?.input_tokens ?? 0) +
    (usage?.cache_creation_input_tokens ?? 0) +
    (usage?.cache_read_input_tokens ?? 0);
  const completion = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** Maps a complete Anthropic message to an OpenAI chat completion. */
export function fromAnthropicMessage(
  message: AnthropicMessageResponse,
  created: number,
): ChatCompletion {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text ?? '';
    if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id ?? '',
        type: 'function',
        function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI answers null content when the model only calls tools.
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(message.stop_reason),
      },
    ],
    usage: usageOf(message.usage),
  };
}

/** HTTP status each Anthropic error type stands for. */
const statusOfErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** An `ApiCallError` from an Anthropic `error` object (sent as a stream event). */
export function anthropicError(
  providerId: string,
  error: { type?: unknown; message?: unknown } | undefined,
): ApiCallError {
  const type = typeof error?.type === 'string' ? error.type : 'api_error';
  const message = typeof error?.message === 'string' ? error.message : type;
  return new ApiCallError({
    message: `${providerId}: upstream reported ${type}: ${message}`,
    providerId,
    statusCode: statusOfErrorType[type] ?? 500,
  });
}
