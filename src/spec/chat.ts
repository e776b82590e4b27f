/**
 * The OpenAI chat-completions wire format, as TTA's clients speak it and as every
 * provider must produce it. Types only.
 */

/** Who wrote a message. `developer` is OpenAI's newer name for `system`. */
export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One part of a multi-part message content (text or image). */
export interface ContentPart {
  /** `text`, `image_url`, or a provider-specific part type passed through untouched. */
  type: string;
  /** The text, for `type: 'text'`. */
  text?: string;
  /** The image reference, for `type: 'image_url'`. */
  image_url?: { url: string; detail?: string };
}

/** A tool (function) call made by the assistant. */
export interface ToolCall {
  /** Call id the tool result refers back to. */
  id: string;
  /** Always `function` today. */
  type: 'function';
  /** The function name and its JSON-encoded arguments. */
  function: { name: string; arguments: string };
}

/** One message of a conversation. */
export interface ChatMessage {
  /** Author of the message. */
  role: ChatRole;
  /** Text, parts, or null (assistant messages that only call tools). */
  content: string | ContentPart[] | null;
  /** Optional participant name. */
  name?: string;
  /** Tool calls made by an assistant message. */
  tool_calls?: ToolCall[];
  /** For `role: 'tool'`: the call this message answers. */
  tool_call_id?: string;
}

/**
 * A chat-completions request body. `model` is the provider's own model id by the
 * time a provider sees it (the gateway strips its `<providerId>/` prefix).
 * Unknown fields are passed through to OpenAI-compatible upstreams.
 */
export interface ChatRequest {
  /** Model id as the upstream knows it. */
  model: string;
  /** The conversation so far. */
  messages: ChatMessage[];
  /** Stream the answer as server-sent events. */
  stream?: boolean;
  /** Streaming options; `include_usage` asks for a final usage chunk. */
  stream_options?: { include_usage?: boolean } | null;
  /** Sampling temperature. */
  temperature?: number | null;
  /** Nucleus sampling. */
  top_p?: number | null;
  /** Maximum tokens to generate (legacy name). */
  max_tokens?: number | null;
  /** Maximum tokens to generate (current name). */
  max_completion_tokens?: number | null;
  /** Stop sequences. */
  stop?: string | string[] | null;
  /** Tools the model may call. */
  tools?: unknown[];
  /** How the model chooses tools. */
  tool_choice?: unknown;
  /** JSON mode / structured output. */
  response_format?: { type: string; [key: string]: unknown };
  /** Anything else the client sent; passed through to OpenAI-compatible upstreams. */
  [key: string]: unknown;
}

/** Token accounting of one completion. */
export interface Usage {
  /** Tokens in the prompt. */
  prompt_tokens: number;
  /** Tokens generated. */
  completion_tokens: number;
  /** Sum of both. */
  total_tokens: number;
  /** Cost in USD when the upstream reports it (OpenRouter does). */
  cost?: number;
}

/** Why generation stopped, in OpenAI's vocabulary. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** A complete (non-streamed) answer. */
export interface ChatCompletion {
  /** Completion id. */
  id: string;
  /** Always `chat.completion`. */
  object: 'chat.completion';
  /** Unix seconds. */
  created: number;
  /** Model id as reported by the upstream. */
  model: string;
  /** The generated choices (one unless `n` was asked for). */
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      tool_calls?: ToolCall[];
      [key: string]: unknown;
    };
    finish_reason: FinishReason | string | null;
    [key: string]: unknown;
  }>;
  /** Token usage, when known. */
  usage?: Usage;
  [key: string]: unknown;
}

/** One streamed piece of an answer. */
export interface ChatCompletionChunk {
  /** Completion id, the same on every chunk of one answer. */
  id: string;
  /** Always `chat.completion.chunk`. */
  object: 'chat.completion.chunk';
  /** Unix seconds. */
  created: number;
  /** Model id as reported by the upstream. */
  model: string;
  /** Deltas; empty on the final usage-only chunk. */
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      tool_calls?: Array<Partial<ToolCall> & { index: number }>;
      [key: string]: unknown;
    };
    finish_reason: FinishReason | string | null;
    [key: string]: unknown;
  }>;
  /** Present (and the choices empty) on the final chunk when usage was asked for. */
  usage?: Usage | null;
  [key: string]: unknown;
}
