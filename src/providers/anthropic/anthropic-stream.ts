/**
 * Anthropic stream events -> OpenAI chunks: `message_start` opens the assistant turn,
 * text and tool-input deltas become content and tool-call deltas, `message_delta` brings
 * the finish reason, `message_stop` the optional usage chunk; `error` events throw.
 */
import type { ChatCompletionChunk, FinishReason, ToolCall, Usage } from '../../spec/chat.js';
import { ApiCallError } from '../../spec/errors.js';
import type { SseEvent } from '../sse.js';
import { malformedResponse } from '../upstream-error.js';
import {
  type AnthropicUsage,
  anthropicError,
  finishReasonOf,
  usageOf,
} from './anthropic-response.js';

/** Options of {@link anthropicChunks}. */
export interface AnthropicChunkOptions {
  /** Configured provider id, for errors. */
  providerId: string;
  /** Yield a final usage chunk with empty choices (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Unix seconds stamped on every chunk. */
  created: number;
}

/** An Anthropic stream event, loosely typed: only the fields read here. */
interface AnthropicEvent {
  type?: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  content_block?: { type?: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: unknown; message?: unknown };
}

/** Turns Anthropic's SSE events into OpenAI chunks; throws if the stream ends before `message_stop`. */
export async function* anthropicChunks(
  events: AsyncIterable<SseEvent>,
  options: AnthropicChunkOptions,
): AsyncGenerator<ChatCompletionChunk> {
  const { providerId } = options;
  let id = '';
  let model = '';
  let usage: AnthropicUsage = {};
  // Anthropic numbers content blocks; OpenAI numbers tool calls.
  const toolIndexOfBlock = new Map<number, number>();
  let stopped = false;

  const chunk = (
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finish: FinishReason | null = null,
  ) => ({
    id,
    object: 'chat.completion.chunk' as const,
    created: options.created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  for await (const sse of events) {
    // Read on to the end of the body after message_stop, so the connection goes back to the pool.
    if (stopped) continue;
    let event: AnthropicEvent;
    try {
      event = JSON.parse(sse.data) as AnthropicEvent;
    } catch (error) {
      throw malformedResponse(providerId, 'stream event (not JSON)', error);
    }
    switch (event.type) {
      case 'message_start':
        id = event.message?.id ?? '';
        model = event.message?.model ?? '';
        usage = { ...event.message?.usage };
        yield chunk({ role: 'assistant', content: '' });
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'tool_use') {
          const toolIndex = toolIndexOfBlock.size;
          toolIndexOfBlock.set(event.index ?? 0, toolIndex);
          const call = { index: toolIndex, id: block.id, type: 'function' as const };
          yield chunk({
            tool_calls: [{ ...call, function: { name: block.name ?? '', arguments: '' } }],
          });
        } else if (block?.type === 'text' && block.text) {
          yield chunk({ content: block.text });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta') yield chunk({ content: delta.text ?? '' });
        if (delta?.type === 'input_json_delta') {
          const index = toolIndexOfBlock.get(event.index ?? 0) ?? 0;
          // OpenAI sends the name once, in the first delta of a call; later deltas carry arguments only.
          const argumentsOnly = { arguments: delta.partial_json ?? '' } as ToolCall['function'];
          yield chunk({ tool_calls: [{ index, function: argumentsOnly }] });
        }
        break;
      }
      case 'message_delta':
        usage = { ...usage, ...event.usage };
        yield chunk({}, finishReasonOf(event.delta?.stop_reason) ?? 'stop');
        break;
      case 'message_stop':
        stopped = true;
        if (options.includeUsage)
          yield { ...chunk({}), choices: [], usage: usageOf(usage) satisfies Usage };
        break;
      case 'error':
        throw anthropicError(providerId, event.error);
      default:
      // ping, content_block_stop and event types added later carry nothing to map.
    }
  }
  if (!stopped) {
    throw new ApiCallError({
      message: `${providerId}: upstream stream ended before message_stop`,
      providerId,
      code: 'upstream_incomplete_response',
      isRetryable: true,
    });
  }
}
