import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../spec/index.js';
import { adaptRequest, estimateTokens, jsonInstruction } from './adapt-request.js';

const turn = (role: 'user' | 'assistant', words: number): ChatMessage => ({
  role,
  content: 'word '.repeat(words),
});

function conversation(turns: number): ChatRequest {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You narrate a gentle story.' }];
  for (let index = 0; index < turns; index++)
    messages.push(turn(index % 2 === 0 ? 'user' : 'assistant', 100));
  return { model: 'x', messages };
}

describe('adaptRequest', () => {
  it('leaves a request that fits alone', () => {
    const request = conversation(4);
    expect(adaptRequest(request, { contextLength: 100_000 })).toEqual({
      ok: true,
      request,
      adaptations: [],
    });
    expect(adaptRequest(request, {})).toEqual({ ok: true, request, adaptations: [] });
  });

  it('drops the oldest turns, keeps the system prompt and the latest turn, never cuts a message', () => {
    const request = conversation(20);
    const result = adaptRequest(request, { contextLength: 2_048 });
    if (!result.ok) throw new Error(result.reason);
    const kept = result.request.messages;
    expect(kept[0]).toEqual(request.messages[0]);
    expect(kept.at(-1)).toEqual(request.messages.at(-1));
    expect(kept.slice(1)).toEqual(
      request.messages.slice(request.messages.length - (kept.length - 1)),
    );
    expect(estimateTokens(kept)).toBeLessThanOrEqual(2_048 - 512);
    expect(result.adaptations).toEqual([
      `context-trimmed:dropped=${request.messages.length - kept.length}`,
    ]);
  });

  it('drops a tool exchange whole', () => {
    const request: ChatRequest = {
      model: 'x',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'word '.repeat(300) },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'roll', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'word '.repeat(600) },
        { role: 'user', content: 'What now?' },
      ],
    };
    const result = adaptRequest(request, { contextLength: 700 });
    if (!result.ok) throw new Error(result.reason);
    expect(result.request.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('refuses a model too small for even the latest turn', () => {
    const result = adaptRequest(
      { model: 'x', messages: [turn('user', 5_000)] },
      { contextLength: 1_000 },
    );
    expect(result).toMatchObject({ ok: false, code: 'context_too_small' });
  });

  it('asks for JSON in words when the model has no JSON mode, and refuses missing tools', () => {
    const request: ChatRequest = {
      model: 'x',
      messages: [turn('user', 5)],
      response_format: { type: 'json_object' },
    };
    const result = adaptRequest(request, { supportedParameters: ['temperature'] });
    if (!result.ok) throw new Error(result.reason);
    expect(result.request.response_format).toBeUndefined();
    expect(result.request.messages[0]).toEqual({ role: 'system', content: jsonInstruction });
    expect(result.adaptations).toEqual(['json-by-instruction']);

    const withTools = { ...request, tools: [{ type: 'function' }] };
    expect(adaptRequest(withTools, { supportedParameters: ['temperature'] })).toMatchObject({
      ok: false,
      code: 'capability_missing',
    });
    expect(
      adaptRequest(withTools, { supportedParameters: ['tools', 'response_format'] }),
    ).toMatchObject({ ok: true, adaptations: [] });
  });
});
