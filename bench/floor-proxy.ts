/**
 * The floor: the least a Node proxy can do for `POST /v1/chat/completions` — forward it to
 * the upstream over a keep-alive undici `Pool` and pipe both bodies, SSE included, with no
 * parsing. The gateway's overhead is measured against this. Runs as a child process
 * (compiled to plain JavaScript, so its memory is comparable with the gateway's) with the
 * upstream in `BENCH_UPSTREAM_ORIGIN`; it reports its URL over IPC and exits with its parent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const route = '/v1/chat/completions';
const upstream = new Pool(process.env.BENCH_UPSTREAM_ORIGIN ?? 'http://127.0.0.1:1', {
  connections: 256,
  pipelining: 1,
});
const passedBack = ['content-type', 'content-length', 'cache-control'];

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== route) {
    response.writeHead(404).end();
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
