import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, OpenAIErrorBody } from '../spec/index.js';

/** Writes server-sent events to a raw response, honouring backpressure. */
export function createSseWriter(response: ServerResponse, headers: Record<string, string>) {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...headers,
  });
  // Send headers now: clients see the status and x-tta-model before the first chunk lands.
  response.flushHeaders();

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
    /** One chunk as a `data:` event. */
    chunk: (chunk: ChatCompletionChunk) => write(`data: ${JSON.stringify(chunk)}\n\n`),
    /** An OpenAI-style error event; the stream ends after it. */
    error: (body: OpenAIErrorBody) => write(`data: ${JSON.stringify(body)}\n\n`),
    /** The closing `[DONE]` and the end of the response. */
    done: async () => {
      await write('data: [DONE]\n\n');
      response.end();
    },
    /** Ends the response without `[DONE]` (after an error event). */
    end: () => response.end(),
  };
}
