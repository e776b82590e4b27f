/**
 * The floor: the least a Node proxy can do for `POST /v1/chat/completions` — forward it to
 * the upstream over a keep-alive undici `Pool` and pipe both bodies, SSE included, with no
 * parsing. The gateway's overhead is measured against this. Runs as a child process
 * (compiled to plain JavaScript, so its memory is comparable with the gateway's) with the
 * upstream in `BENCH_UPSTREAM_ORIGIN`; it reports its URL over IPC and exits with its parent.
 *
 * With `BENCH_FLOOR_JSON=1` it is the JSON floor instead: the least any gateway that reads
 * what it forwards must do. It parses the request, sets its `model`, serialises it for the
 * upstream, then parses a plain answer and serialises it back (streams are still piped).
 * The gap between the two floors is the price of reading JSON at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const route = '/v1/chat/completions';
const upstream = new Pool(process.env.BENCH_UPSTREAM_ORIGIN ?? 'http://127.0.0.1:1', {
  connections: 256,
  pipelining: 1,
});
const passedBack = ['content-type', 'content-length', 'cache-control'];

/** The JSON floor's handling of one request. */
async function forwardParsed(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
  body.model = `upstream-${body.model}`;
  const answer = await upstream.request({
    method: 'POST',
    path: route,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const type = answer.headers['content-type'];
  if (typeof type === 'string' && type.startsWith('text/event-stream')) {
    response.writeHead(answer.statusCode, { 'content-type': type, 'cache-control': 'no-cache' });
    await pipeline(answer.body, response);
    return;
  }
  const completion = (await answer.body.json()) as { model: string };
  completion.model = body.model;
  response.writeHead(answer.statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(completion));
}

const parsing = process.env.BENCH_FLOOR_JSON === '1';

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== route) {
    response.writeHead(404).end();
    return;
  }
  if (parsing) {
    forwardParsed(request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end();
    });
    return;
  }
  const length = request.headers['content-length'];
  const headers = {
    'content-type': request.headers['content-type'] ?? 'application/json',
    ...(length === undefined ? {} : { 'content-length': length }),
  };
  upstream.request({ method: 'POST', path: route, headers, body: request }).then(
    async (answer) => {
      const back: Record<string, string> = {};
      for (const name of passedBack) {
        const value = answer.headers[name];
        if (typeof value === 'string') back[name] = value;
      }
      response.writeHead(answer.statusCode, back);
      await pipeline(answer.body, response).catch(() => response.destroy());
    },
    () => response.writeHead(502).end(),
  );
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
