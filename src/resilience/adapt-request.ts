import type { ChatMessage, ChatRequest, ModelCard } from '../spec/index.js';

/** What a chain member is known to handle (unknown fields: assume it can). */
export type Capabilities = Pick<ModelCard, 'contextLength' | 'supportedParameters'>;

/** A request fitted to a model, and what was changed to fit it. */
export type Adapted =
  | { ok: true; request: ChatRequest; adaptations: string[] }
  | { ok: false; reason: string; code: 'context_too_small' | 'capability_missing' };

/** Told to a model without JSON mode when the client asked for JSON. */
export const jsonInstruction =
  'Answer with one valid JSON object and nothing else: no prose, no code fences.';

/** The characters of one message that the token estimate counts. */
function charactersOf(message: ChatMessage): number {
  let characters = 0;
  if (typeof message.content === 'string') characters += message.content.length;
  else for (const part of message.content ?? []) characters += part.text?.length ?? 256;
  for (const call of message.tool_calls ?? [])
    characters += call.function.arguments.length + call.function.name.length;
  return characters;
}

/** The estimate for `messages` messages holding `characters` characters in all. */
function tokensFor(characters: number, messages: number): number {
  return Math.ceil(characters / 3.5) + messages * 4;
}

/** A rough token count (about 3.5 characters a token, plus each message's framing). */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let characters = 0;
  for (const message of messages) characters += charactersOf(message);
  return tokensFor(characters, messages.length);
}

/**
 * Groups of messages that only make sense together: an assistant turn that calls tools
 * and the tool results that answer it. Fitting drops whole groups, never half of one.
 */
function groups(messages: readonly ChatMessage[]): ChatMessage[][] {
  const result: ChatMessage[][] = [];
  for (const message of messages) {
    const last = result.at(-1);
    if (message.role === 'tool' && last) last.push(message);
    else result.push([message]);
  }
  return result;
}

/**
 * Fits a request to a model (Requirement 5.5): drops the oldest turns (never the system
 * prompt, never the last turn, never half a tool exchange) when the conversation would
 * overflow the context window; asks for JSON in words when the model has no JSON mode;
 * refuses a model that lacks tools the request needs.
 */
export function adaptRequest(request: ChatRequest, capabilities: Capabilities): Adapted {
  const adaptations: string[] = [];
  const supported = capabilities.supportedParameters;
  if (request.tools && request.tools.length > 0 && supported && !supported.includes('tools')) {
    return {
      ok: false,
      code: 'capability_missing',
      reason: 'the model does not support tools, which this request needs',
    };
  }
  let adapted: ChatRequest = request;
  const wantsJson =
    request.response_format?.type === 'json_object' ||
    request.response_format?.type === 'json_schema';
  if (wantsJson && supported && !supported.includes('response_format')) {
    const { response_format: _format, ...rest } = adapted;
    adapted = {
      ...rest,
      messages: [{ role: 'system', content: jsonInstruction }, ...adapted.messages],
    };
    adaptations.push('json-by-instruction');
  }

  const window = capabilities.contextLength;
  if (window === undefined) return { ok: true, request: adapted, adaptations };
  const reserve =
    adapted.max_completion_tokens ?? adapted.max_tokens ?? Math.min(1_024, Math.floor(window / 4));
  const budget = window - reserve;
  if (estimateTokens(adapted.messages) <= budget)
    return { ok: true, request: adapted, adaptations };

  const system: ChatMessage[][] = [];
  const turns: ChatMessage[][] = [];
  for (const group of groups(adapted.messages)) {
    const role = group[0]?.role;
    (role === 'system' || role === 'developer' ? system : turns).push(group);
  }
  // Running totals, so dropping turns costs one pass, not one estimate per dropped turn
  // (the same estimate: it only sums characters and counts messages).
  let characters = 0;
  let messages = 0;
  const turnCharacters = turns.map((group) => {
    let sum = 0;
    for (const message of group) sum += charactersOf(message);
    characters += sum;
    messages += group.length;
    return sum;
  });
  for (const group of system) {
    for (const message of group) characters += charactersOf(message);
    messages += group.length;
  }
  let first = 0;
  let dropped = 0;
  while (turns.length - first > 1 && tokensFor(characters, messages) > budget) {
    const group = turns[first] as ChatMessage[];
    characters -= turnCharacters[first] as number;
    messages -= group.length;
    dropped += group.length;
    first += 1;
  }
  const fitted = [...system, ...turns.slice(first)].flat();
  if (tokensFor(characters, messages) > budget) {
    return {
      ok: false,
      code: 'context_too_small',
      reason: `the conversation needs about ${estimateTokens(fitted)} tokens even without older turns; the model takes ${window}`,
    };
  }
  // System messages keep their place at the front; turns keep their order.
  return {
    ok: true,
    request: { ...adapted, messages: fitted },
    adaptations: [...adaptations, `context-trimmed:dropped=${dropped}`],
  };
}
