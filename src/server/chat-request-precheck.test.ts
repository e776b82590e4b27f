import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatRequestPrecheck } from './chat-request-precheck.js';
import { chatRequestSchema } from './chat-request-schema.js';

/** Values that are sometimes right for a field and often wrong. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 5 }),
  fc.double({ min: -1, max: 3, noNaN: true }),
  fc.constant(2 ** 60),
  fc.string({ maxLength: 4 }),
  fc.constantFrom('user', 'system', 'assistant', 'tool', 'developer', 'text', ''),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.array(
    fc.record({ type: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()) }, { requiredKeys: [] }),
    { maxLength: 2 },
  ),
  fc.dictionary(fc.constantFrom('type', 'include_usage', 'x', 'constructor'), fc.anything(), {
    maxKeys: 2,
  }),
);

/** Mostly a valid value for a field, sometimes anything at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anyValue, weight: 1 });

const text = fc.string({ maxLength: 6 });
const part = fc.record(
  { type: fc.constantFrom('text', 'image_url'), text },
  { requiredKeys: ['type'] },
);

const message = fc.record(
  {
    role: mostly(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool')),
    content: mostly(fc.oneof(text, fc.constant(null), fc.array(part, { maxLength: 2 }))),
    name: mostly(text),
    tool_calls: mostly(
      fc.array(fc.record({ id: text, type: fc.constant('function') }), { maxLength: 2 }),
    ),
    tool_call_id: mostly(text),
    extra: anyValue,
  },
  { requiredKeys: ['role'] },
);

const body = fc.record(
  {
    model: mostly(fc.constantFrom('up/gpt-4o', 'auto')),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 })),
    stream: mostly(fc.boolean()),
    stream_options: mostly(
      fc.option(fc.record({ include_usage: fc.boolean() }, { requiredKeys: [] })),
    ),
    temperature: mostly(fc.option(fc.double({ min: 0, max: 2, noNaN: true }))),
    top_p: mostly(fc.option(fc.double({ min: 0, max: 1, noNaN: true }))),
    max_tokens: mostly(fc.option(fc.integer({ min: 1, max: 4096 }))),
    max_completion_tokens: mostly(fc.option(fc.integer({ min: 1, max: 4096 }))),
    n: mostly(fc.option(fc.integer({ min: 1, max: 4 }))),
    stop: mostly(fc.option(fc.oneof(text, fc.array(text, { maxLength: 2 })))),
    tools: mostly(fc.array(fc.record({ type: fc.constant('function') }), { maxLength: 2 })),
    tool_choice: anyValue,
    response_format: mostly(fc.record({ type: fc.constantFrom('text', 'json_object') })),
    metadata: mostly(fc.option(fc.dictionary(text, text, { maxKeys: 2 }))),
    user: anyValue,
  },
  { requiredKeys: ['model', 'messages'] },
);

/** What a client sends: JSON text parsed back (no undefined, no -0 surprises). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('chatRequestPrecheck', () => {
  it('passes only bodies the schema accepts unchanged', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const candidate = asJson(raw);
        if (!chatRequestPrecheck(candidate)) return;
        const parsed = chatRequestSchema.safeParse(candidate);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(candidate);
      }),
      { numRuns: 2000 },
    );
  });

  it('passes the bodies clients normally send, so they skip zod', () => {
    const messages = [
      { role: 'system', content: 'You narrate a text adventure.' },
      { role: 'user', content: [{ type: 'text', text: 'Light the torch.' }], name: 'player' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function' }] },
      { role: 'tool', content: '{"ok":true}', tool_call_id: 'c1' },
    ];
    const typical = [
      { model: 'auto', messages, max_tokens: 64 },
      {
        model: 'openrouter/meta-llama/llama-3.1-8b-instruct:free',
        messages,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.7,
        top_p: 1,
        stop: ['\n\n'],
        tools: [{ type: 'function', function: { name: 'roll' } }],
        tool_choice: 'auto',
        response_format: { type: 'json_object' },
        metadata: { task: 'narrative_generation', session_id: 's-1' },
        user: 'player-1',
      },
    ];
    for (const candidate of typical) {
      expect(chatRequestPrecheck(candidate)).toBe(true);
      expect(chatRequestSchema.safeParse(candidate).success).toBe(true);
    }
  });

  it('leaves whatever it is unsure of to the schema', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    for (const candidate of [
      null,
      [],
      { messages },
      { model: '', messages },
      { model: 'auto', messages: [] },
      { model: 'auto', messages: [{ role: 'narrator', content: 'hi' }] },
      { model: 'auto', messages, max_tokens: 0 },
      { model: 'auto', messages, max_tokens: 2 ** 60 },
      { model: 'auto', messages, temperature: 2.5 },
      { model: 'auto', messages, metadata: { constructor: 'x' } },
    ]) {
      expect(chatRequestPrecheck(candidate)).toBe(false);
    }
  });
});
