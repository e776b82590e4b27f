/**
 * OpenAI chat request -> Anthropic Messages request. System and developer messages become
 * `system`; tool results become `tool_result` blocks of a user turn; assistant tool calls
 * become `tool_use` blocks; consecutive turns of one role merge, as Anthropic expects.
 */
import type { ChatMessage, ChatRequest, ContentPart } from '../../spec/chat.js';
import { InvalidRequestError } from '../../spec/errors.js';

/** A content block of an Anthropic message. */
export type AnthropicBlock =
  | { type: 'text'; text: string }
  | {
      type: 'image';
      source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
    }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

/** One turn of an Anthropic conversation. */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/** The body of `POST /v1/messages`. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
  tools?: Array<{ name: string; description?: string; input_schema: unknown }>;
  tool_choice?: {
    type: 'auto' | 'any' | 'none' | 'tool';
    name?: string;
    disable_parallel_tool_use?: boolean;
  };
  metadata?: { user_id: string };
}

/** Maps an OpenAI chat request for model `modelId` to Anthropic's Messages API. */
export function toAnthropicRequest(
  request: ChatRequest,
  modelId: string,
  defaultMaxTokens: number,
): AnthropicRequest {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      system.push(textOf(message.content));
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message);
    const previous = messages.at(-1);
    if (previous?.role === role) previous.content.push(...blocks);
    else messages.push({ role, content: blocks });
  }
  const body: AnthropicRequest = {
    model: modelId,
    // Anthropic requires max_tokens; OpenAI clients often leave it out.
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  // OpenAI's temperature runs to 2, Anthropic's to 1.
  if (typeof request.temperature === 'number') body.temperature = Math.min(request.temperature, 1);
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (request.stop != null)
    body.stop_sequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (request.stream === true) body.stream = true;
  if (typeof request.user === 'string') body.metadata = { user_id: request.user };
  const tools = toolsOf(request.tools);
  if (tools.length > 0) body.tools = tools;
  const toolChoice = toolChoiceOf(request.tool_choice, request.parallel_tool_calls);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  return body;
}

/** The Anthropic blocks of one user, assistant or tool message. */
function blocksOf(message: ChatMessage): AnthropicBlock[] {
  if (message.role === 'tool') {
    return [
      {
        type: 'tool_result',
        tool_use_id: message.tool_call_id ?? '',
        content: textOf(message.content),
      },
    ];
  }
  const blocks: AnthropicBlock[] = [];
  if (typeof message.content === 'string') {
    // Anthropic rejects empty text blocks.
    if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  } else if (message.content !== null) {
    for (const part of message.content) blocks.push(...partToBlocks(part));
  }
  for (const call of message.tool_calls ?? []) {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments),
    });
  }
  return blocks;
}

/** A content part as Anthropic blocks; images by data URL become base64 sources. */
function partToBlocks(part: ContentPart): AnthropicBlock[] {
  if (part.type === 'text') return part.text ? [{ type: 'text', text: part.text }] : [];
  if (part.type === 'image_url' && part.image_url !== undefined) {
    const url = part.image_url.url;
    const inline = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    const source = inline
      ? { type: 'base64' as const, media_type: inline[1] ?? '', data: inline[2] ?? '' }
      : { type: 'url' as const, url };
    return [{ type: 'image', source }];
  }
  // Anthropic-specific parts (documents, cache hints) pass through as the client wrote them.
  return [part as unknown as AnthropicBlock];
}

/** Plain text of a message content. */
function textOf(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? '').join('');
}

function parseArguments(text: string): unknown {
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new InvalidRequestError('tool call arguments must be valid JSON', 'messages');
  }
}

function toolsOf(tools: unknown[] | undefined): NonNullable<AnthropicRequest['tools']> {
  const mapped: NonNullable<AnthropicRequest['tools']> = [];
  for (const tool of (tools ?? []) as Array<{
    type?: string;
    function?: Record<string, unknown>;
  }>) {
    const definition = tool.function;
    if (tool.type !== 'function' || typeof definition?.name !== 'string') continue;
    mapped.push({
      name: definition.name,
      ...(typeof definition.description === 'string'
        ? { description: definition.description }
        : {}),
      input_schema: definition.parameters ?? { type: 'object', properties: {} },
    });
  }
  return mapped;
}

function toolChoiceOf(
  choice: unknown,
  parallelToolCalls: unknown,
): AnthropicRequest['tool_choice'] {
  const named = (choice as { function?: { name?: unknown } } | null)?.function?.name;
  const mapped: AnthropicRequest['tool_choice'] =
    choice === 'auto'
      ? { type: 'auto' }
      : choice === 'required'
        ? { type: 'any' }
        : choice === 'none'
          ? { type: 'none' }
          : typeof named === 'string'
            ? { type: 'tool', name: named }
            : undefined;
  if (parallelToolCalls !== false) return mapped;
  const base = mapped ?? { type: 'auto' as const };
  return base.type === 'none' ? base : { ...base, disable_parallel_tool_use: true };
}
