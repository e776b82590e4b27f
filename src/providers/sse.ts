/**
 * Server-sent events, parsed as the HTML standard says: lines end in `\n`, `\r\n` or `\r`
 * (possibly split across chunks), `:` starts a comment, `event:` names the event, several
 * `data:` lines join with `\n`, and a blank line dispatches.
 */
import { StringDecoder } from 'node:string_decoder';

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` name, undefined for unnamed (`message`) events. */
  event: string | undefined;
  /** The data lines, joined by `\n`. */
  data: string;
  /** The last `id:` seen, if any. */
  id: string | undefined;
}

/** Parses an SSE byte stream into events. A trailing event without its blank line still counts. */
export async function* parseSse(source: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  // Bytes of one UTF-8 character may straddle two chunks: decode statefully.
  const decoder = new StringDecoder('utf8');
  const parser = new SseParser();
  for await (const chunk of source) {
    yield* parser.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* parser.push(decoder.end());
  yield* parser.end();
}

/** Incremental SSE parser over text; feed it with `push`, then call `end`. */
export class SseParser {
  #pending = '';
  #skipLineFeed = false;
  #data: string[] = [];
  #event: string | undefined;
  #id: string | undefined;

  /** Parses more text; returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    // A `\r` that ended the previous chunk may be the first half of `\r\n`.
    if (this.#skipLineFeed && text.startsWith('\n')) start = 1;
    this.#skipLineFeed = false;
    for (let index = start; index < text.length; index++) {
      const character = text.charCodeAt(index);
      if (character !== 10 && character !== 13) continue;
      const line = this.#pending + text.slice(start, index);
      this.#pending = '';
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
      if (character === 13) {
        if (index + 1 === text.length) this.#skipLineFeed = true;
        else if (text.charCodeAt(index + 1) === 10) index++;
      }
      start = index + 1;
    }
    this.#pending += text.slice(start);
    return events;
  }

  /** Ends the stream: dispatches an event whose last line was complete but not followed by a blank line. */
  end(): SseEvent[] {
    // A half-received line means the stream was cut: drop it rather than guess.
    this.#pending = '';
    const event = this.#dispatch();
    return event === undefined ? [] : [event];
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const event =
      this.#data.length === 0
        ? undefined
        : { event: this.#event, data: this.#data.join('\n'), id: this.#id };
    this.#data = [];
    this.#event = undefined;
    return event;
  }
}
