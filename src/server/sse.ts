import type { ServerResponse } from 'node:http';
import { type ChatCompletionChunk, jsonOf, type OpenAIErrorBody } from '../spec/index.js';

/** Writes server-sent events to a raw response, honouring backpressure. */
export function createSseWriter(response: ServerResponse, headers: Record<string, string>) {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...headers,
  });
  // The stream starts once its first chunk is in hand, so that chunk follows at once: Node
  // sends the headers with the first write, one packet instead of two. Should the first
  // event be held back, the headers go out on their own right after.
  setImmediate(() => {
    if (!response.headersSent && !response.destroyed) response.flushHeaders();
  });

  async function write(text: string): Promise<void> {
    if (response.destroyed) return;
    if (!response.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
  }

  return {
    /** One chunk as a `data:` event: the upstream's own JSON when the chunk passed through untouched. */
    chunk: (chunk: ChatCompletionChunk) => write(`data: ${jsonOf(chunk)}\n\n`),
    /** An OpenAI-style error event; the stream ends after it. */
    error: (body: OpenAIErrorBody) => write(`data: ${JSON.stringify(body)}\n\n`),
    /** The closing `[DONE]` and the end of the response, in one write. */
    done: async () => {
      if (!response.destroyed) response.end('data: [DONE]\n\n');
    },
    /** Ends the response without `[DONE]` (after an error event). */
    end: () => response.end(),
  };
}
