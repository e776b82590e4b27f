import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../spec/errors.js';
import { toAnthropicRequest } from './anthropic-request.js';

describe('toAnthropicRequest', () => {
  it('moves system and developer messages to `system` and merges consecutive turns of one role', () => {
    const body = toAnthropicRequest(
      {
        model: 'ignored',
        messages: [
          { role: 'system', content: 'You narrate.' },
          { role: 'developer', content: [{ type: 'text', text: 'Be kind.' }] },
          { role: 'user', content: 'Hello' },
          { role: 'user', content: [{ type: 'text', text: 'Anyone?' }] },
          { role: 'assistant', content: 'Yes.' },
        ],
      },
      'claude-x',
      4096,
    );
    expect(body).toEqual({
      model: 'claude-x',
      max_tokens: 4096,
      system: 'You narrate.\n\nBe kind.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'text', text: 'Anyone?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Yes.' }] },
      ],
    });
  });

  it('maps tool calls to tool_use blocks and tool results to tool_result blocks of a user turn', () => {
    const body = toAnthropicRequest(
      {
        model: 'ignored',
        messages: [
          { role: 'user', content: 'Roll two dice' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'roll', arguments: '{"sides":6}' },
              },
              { id: 'toolu_2', type: 'function', function: { name: 'roll', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '4' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '2' }] },
          { role: 'user', content: 'And?' },
        ],
      },
      'claude-x',
      4096,
    );
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Roll two dice' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'roll', input: { sides: 6 } },
          { type: 'tool_use', id: 'toolu_2', name: 'roll', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '4' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '2' },
          { type: 'text', text: 'And?' },
        ],
      },
    ]);
  });

  it('maps sampling, stop, tools, tool choice, user and images', () => {
    const body = toAnthropicRequest(
      {
        model: 'ignored',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.org/cat.jpg' } },
            ],
          },
        ],
        max_tokens: 100,
        max_completion_tokens: 50,
        temperature: 1.6,
        top_p: 0.9,
        stop: 'THE END',
        stream: true,
        user: 'player-7',
        tools: [
          {
            type: 'function',
            function: {
              name: 'roll',
              description: 'Roll a die',
              parameters: { type: 'object', properties: { sides: { type: 'integer' } } },
            },
          },
          { type: 'function', function: { name: 'look' } },
        ],
        tool_choice: { type: 'function', function: { name: 'roll' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_object' },
      },
      'claude-x',
      4096,
    );
    expect(body).toEqual({
      model: 'claude-x',
      max_tokens: 50,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['THE END'],
      stream: true,
      metadata: { user_id: 'player-7' },
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
            },
            { type: 'image', source: { type: 'url', url: 'https://example.org/cat.jpg' } },
          ],
        },
      ],
      tools: [
        {
          name: 'roll',
          description: 'Roll a die',
          input_schema: { type: 'object', properties: { sides: { type: 'integer' } } },
        },
        { name: 'look', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'tool', name: 'roll', disable_parallel_tool_use: true },
    });
  });

  it('maps the tool choice words', () => {
    const choice = (toolChoice: unknown) =>
      toAnthropicRequest({ model: 'x', messages: [], tool_choice: toolChoice }, 'x', 1).tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice('required')).toEqual({ type: 'any' });
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice(undefined)).toBeUndefined();
  });

  it('rejects tool call arguments that are not JSON', () => {
    const request = {
      model: 'x',
      messages: [
        {
          role: 'assistant' as const,
          content: null,
          tool_calls: [
            { id: 'a', type: 'function' as const, function: { name: 'f', arguments: '{oops' } },
          ],
        },
      ],
    };
    expect(() => toAnthropicRequest(request, 'x', 1)).toThrow(InvalidRequestError);
  });
});
