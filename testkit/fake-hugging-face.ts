/**
 * A fake of the Hugging Face download endpoint, as a real HTTP server on 127.0.0.1:
 * `GET|HEAD /<user>/<repo>/resolve/<revision>/<file>` answers 302 to a storage URL with
 * the LFS headers (`x-linked-etag` = the file's sha256, `x-linked-size`, `x-repo-commit`);
 * the storage URL serves the bytes, honouring `Range`. Faults: cut a download after N
 * bytes, require a token, serve other bytes than the etag promises, send a download slowly.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake received. */
export interface HubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A running fake hub. */
export interface FakeHuggingFace {
  /** `http://127.0.0.1:<port>`: what `HF_ENDPOINT` (or an embedded provider's baseUrl) points at. */
  readonly url: string;
  /** Requests so far, oldest first. */
  readonly requests: readonly HubRequest[];
  /** Publishes a file as `<repository>/<file>` (e.g. `user/repo`, `model-Q4_K_M.gguf`); returns its sha256. */
  addFile(repository: string, file: string, bytes: Buffer): string;
  /** The next download of a file's bytes sends `afterBytes` bytes, then drops the connection. */
  cutNextDownload(afterBytes: number): void;
  /** Serves different bytes than the published sha256 for the next download (a corrupt mirror). */
  corruptNextDownload(): void;
  /** The next download of a file's bytes goes out `chunkBytes` at a time, one chunk every `delayMs`. */
  paceNextDownload(chunkBytes: number, delayMs: number): void;
  /** Paced downloads the client closed before the last byte. */
  readonly abandonedDownloads: number;
  /** Requires `Authorization: Bearer <token>` on resolve requests (a gated repository). */
  requireToken(token: string | undefined): void;
  close(): Promise<void>;
}

/** Starts a fake hub on a free port. */
export async function startFakeHuggingFace(): Promise<FakeHuggingFace> {
  const files = new Map<string, { bytes: Buffer; sha256: string }>();
  const requests: HubRequest[] = [];
  let cutAfter: number | undefined;
  let corrupt = false;
  let pace: { chunkBytes: number; delayMs: number } | undefined;
  let abandoned = 0;
  let token: string | undefined;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://hub');
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, headers: request.headers });
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
        response
          .writeHead(401, { 'x-error-code': 'GatedRepo' })
          .end('Access to this repository is restricted.');
        return;
      }
      const key = `${resolve[1]}/${decodeURIComponent(resolve[3] ?? '')}`;
      const file = files.get(key);
      if (!file) {
        response.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
        return;
      }
      response
        .writeHead(302, {
          location: `/storage/${file.sha256}`,
          'x-linked-etag': `"${file.sha256}"`,
          'x-linked-size': String(file.bytes.length),
          'x-repo-commit': '0123456789abcdef0123456789abcdef01234567',
        })
        .end();
      return;
    }
    const storage = /^\/storage\/([0-9a-f]{64})$/.exec(url.pathname);
    const file = storage
      ? [...files.values()].find((entry) => entry.sha256 === storage[1])
      : undefined;
    if (!file) {
      response.writeHead(404).end('no such object');
      return;
    }
    let bytes = file.bytes;
    if (corrupt) {
      corrupt = false;
      bytes = Buffer.from(bytes.map((byte) => byte ^ 0xff));
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= bytes.length && range) {
      response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    const body = bytes.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    if (cutAfter !== undefined) {
      const sent = body.subarray(0, cutAfter);
      cutAfter = undefined;
      // Promise the whole body, send part of it, then close the connection (the bytes sent arrive).
      response.write(sent, () => response.socket?.end());
      return;
    }
    if (pace !== undefined) {
      const { chunkBytes, delayMs } = pace;
      pace = undefined;
      let offset = 0;
      let gone = false;
      response.on('close', () => {
        if (offset < body.length) {
          gone = true;
          abandoned += 1;
        }
      });
      const next = () => {
        if (gone) return;
        if (offset >= body.length) {
          response.end();
          return;
        }
        const chunk = body.subarray(offset, offset + chunkBytes);
        offset += chunk.length;
        response.write(chunk);
        setTimeout(next, delayMs);
      };
      next();
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addFile(repository, file, bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      files.set(`${repository}/${file}`, { bytes, sha256 });
      return sha256;
    },
    cutNextDownload(afterBytes) {
      cutAfter = afterBytes;
    },
    corruptNextDownload() {
      corrupt = true;
    },
    paceNextDownload(chunkBytes, delayMs) {
      pace = { chunkBytes, delayMs };
    },
    get abandonedDownloads() {
      return abandoned;
    },
    requireToken(required) {
      token = required;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
