import { describe, expect, it } from 'vitest';
import { parseSse, type SseEvent } from './sse.js';

async function parseChunks(chunks: Array<string | Buffer>): Promise<SseEvent[]> {
  async function* source() {
    yield* chunks;
  }
  const events: SseEvent[] = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

const unnamed = (data: string): SseEvent => ({ event: undefined, data, id: undefined });

describe('parseSse', () => {
  it('parses data events and [DONE]', async () => {
    expect(await parseChunks(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual([
      unnamed('{"a":1}'),
      unnamed('[DONE]'),
    ]);
  });

  it('handles lines split anywhere across chunks, including inside \\r\\n', async () => {
    const text = 'event: message_start\r\ndata: {"x":"y"}\r\n\r\ndata: second\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const events = await parseChunks([text.slice(0, cut), text.slice(cut)]);
      expect(events, `cut at ${cut}`).toEqual([
        { event: 'message_start', data: '{"x":"y"}', id: undefined },
        unnamed('second'),
      ]);
    }
  });

  it('accepts bare \\r line endings', async () => {
    expect(await parseChunks(['data: a\r\rdata: b\r\r'])).toEqual([unnamed('a'), unnamed('b')]);
  });

  it('decodes UTF-8 characters split between buffers', async () => {
    const bytes = Buffer.from('data: héllo ✓\n\n');
    const events = await parseChunks([...bytes].map((byte) => Buffer.from([byte])));
    expect(events).toEqual([unnamed('héllo ✓')]);
  });

  it('skips comments, joins multi-line data, keeps event names and ids, ignores unknown fields', async () => {
    const events = await parseChunks([
      ': OPENROUTER PROCESSING\n\nevent: delta\nid: 7\nretry: 10\ndata: one\ndata:two\nfoo: bar\n\n',
    ]);
    expect(events).toEqual([{ event: 'delta', data: 'one\ntwo', id: '7' }]);
  });

  it('does not dispatch events without data, and resets the event name after each event', async () => {
    expect(await parseChunks(['event: ping\n\ndata: x\n\n'])).toEqual([unnamed('x')]);
  });

  it('dispatches a complete last event without its blank line, but drops a half-received line', async () => {
    expect(await parseChunks(['data: [DONE]\n'])).toEqual([unnamed('[DONE]')]);
    expect(await parseChunks(['data: {"a":1}\n\ndata: {"cut'])).toEqual([unnamed('{"a":1}')]);
  });
});
