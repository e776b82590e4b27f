/**
 * Downloads a GGUF file from Hugging Face (`hf:<user>/<repo>/<file>.gguf`) into a models
 * folder: progress reports, resume of a partial `.part` file with an HTTP Range
 * request, a sha256 check against the hub's LFS object id (the `x-linked-etag` header)
 * or a given checksum, and an atomic rename once the file is whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GatewayError } from '../../spec/errors.js';
import type { PullProgress } from '../../spec/local-model.js';

/** Options of {@link pullGguf}. */
export interface PullGgufOptions {
  /** `hf:<user>/<repo>/<path in repo>.gguf`. */
  reference: string;
  /** Folder the file lands in. */
  modelsDir: string;
  /** Hub endpoint (default `$HF_ENDPOINT`, else https://huggingface.co). */
  hubUrl?: string;
  /** Token for gated or private repositories (default `$HF_TOKEN`). */
  token?: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Expected sha256 (hex); overrides the hub's. */
  sha256?: string;
  /** Progress, many times a second while downloading. */
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** Tries per pull when the connection breaks; each resumes where the last stopped (default 5). */
  attempts?: number;
  /** Environment for the defaults (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** What a pull did. */
export interface PullGgufResult {
  /** Model id in the embedded provider (the file name without `.gguf`). */
  modelId: string;
  /** Where the file is. */
  file: string;
  /** File size, bytes. */
  bytes: number;
  /** Its sha256, when checked. */
  sha256?: string;
  /** True when an earlier partial download was continued. */
  resumed: boolean;
  /** True when the file was already there, whole and matching. */
  upToDate: boolean;
}

/** A parsed `hf:` reference. */
export interface HuggingFaceReference {
  repository: string;
  file: string;
}

/** Parses `hf:<user>/<repo>/<file>.gguf`; throws a 400 that shows the form. */
export function parseHuggingFaceReference(reference: string): HuggingFaceReference {
  const match = /^hf:([^/\s]+\/[^/\s]+)\/(\S+\.gguf)$/i.exec(reference.trim());
  if (!match?.[1] || !match[2] || match[2].split('/').includes('..')) {
    throw new GatewayError(
      `"${reference}" is not a Hugging Face model file. Write hf:<user>/<repo>/<file>.gguf, e.g. hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf`,
      { status: 400, type: 'invalid_request_error', code: 'invalid_model_reference' },
    );
  }
  return { repository: match[1], file: match[2] };
}

/** Downloads (or resumes, or confirms) one GGUF file. */
export async function pullGguf(options: PullGgufOptions): Promise<PullGgufResult> {
  const env = options.env ?? process.env;
  const { repository, file } = parseHuggingFaceReference(options.reference);
  const hub = (options.hubUrl ?? (env.HF_ENDPOINT || 'https://huggingface.co')).replace(/\/+$/, '');
  const token = options.token ?? (env.HF_TOKEN || undefined);
  const revision = options.revision ?? 'main';
  const progress = options.onProgress ?? (() => {});
  const resolveUrl = `${hub}/${repository}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  const target = path.join(options.modelsDir, path.basename(file));
  const part = `${target}.part`;
  const modelId = path.basename(file).slice(0, -'.gguf'.length);

  progress({ status: `resolving ${repository}/${file}` });
  const head = await fetchOrFail(
    resolveUrl,
    { method: 'HEAD', redirect: 'manual', headers: authFor(resolveUrl) },
    options.reference,
  );
  const downloadUrl = head.headers.get('location')
    ? new URL(head.headers.get('location') as string, resolveUrl).toString()
    : resolveUrl;
  const totalBytes = Number(
    head.headers.get('x-linked-size') ?? head.headers.get('content-length') ?? Number.NaN,
  );
  const expected = (options.sha256 ?? lfsSha256(head.headers.get('x-linked-etag')))?.toLowerCase();
  if (expected === undefined)
    progress({ status: 'the hub publishes no sha256 for this file; pass --sha256 to check it' });

  await fs.mkdir(options.modelsDir, { recursive: true });
  if (await isWhole(target, totalBytes, expected)) {
    progress({ status: 'up to date' });
    const bytes = (await fs.stat(target)).size;
    return {
      modelId,
      file: target,
      bytes,
      ...(expected ? { sha256: expected } : {}),
      resumed: false,
      upToDate: true,
    };
  }

  let resumed = false;
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const offset = await fs.stat(part).then(
      (stats) => stats.size,
      () => 0,
    );
    if (Number.isFinite(totalBytes) && offset === totalBytes) break;
    resumed ||= offset > 0;
    try {
      await downloadFrom(offset);
      break;
    } catch (error) {
      if (options.signal?.aborted || attempt >= attempts || error instanceof GatewayError) {
        if (error instanceof GatewayError) throw error;
        const have = await fs.stat(part).then(
          (stats) => stats.size,
          () => 0,
        );
        throw new GatewayError(
          `The download of ${options.reference} broke off at ${have} of ${Number.isFinite(totalBytes) ? totalBytes : '?'} bytes (${error instanceof Error ? error.message : String(error)}). Run the same pull again: it resumes from ${part}.`,
          { status: 502, type: 'upstream_error', code: 'download_interrupted', cause: error },
        );
      }
      progress({ status: `connection lost; resuming (try ${attempt + 1} of ${attempts})` });
    }
  }

  progress({ status: 'verifying sha256' });
  const actual = await sha256Of(part);
  const size = (await fs.stat(part)).size;
  if (
    (expected !== undefined && actual !== expected) ||
    (Number.isFinite(totalBytes) && size !== totalBytes)
  ) {
    await fs.rm(part, { force: true });
    throw new GatewayError(
      `The download of ${options.reference} is corrupt: expected sha256 ${expected ?? '(none)'} and ${totalBytes} bytes, got ${actual} and ${size}. The partial file was removed; run the pull again.`,
      { status: 502, type: 'upstream_error', code: 'checksum_mismatch' },
    );
  }
  const handle = await fs.open(part, 'r+');
  await handle.sync();
  await handle.close();
  await fs.rename(part, target);
  progress({ status: 'success', completedBytes: size, totalBytes: size });
  return { modelId, file: target, bytes: size, sha256: actual, resumed, upToDate: false };

  async function downloadFrom(offset: number): Promise<void> {
    const headers: Record<string, string> = { ...authFor(downloadUrl) };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const response = await fetchOrFail(downloadUrl, { headers }, options.reference);
    if (response.status === 416) {
      // The part is longer than the file: start again.
      await fs.rm(part, { force: true });
      throw new Error('the partial file did not match the remote file');
    }
    const append = offset > 0 && response.status === 206;
    let completed = append ? offset : 0;
    const total = Number.isFinite(totalBytes)
      ? totalBytes
      : completed + Number(response.headers.get('content-length') ?? Number.NaN);
    if (!response.body) throw new Error('the hub answered without a body');
    // Each chunk is on disk before the next is read: a broken connection loses nothing received.
    const handle = await fs.open(part, append ? 'a' : 'w');
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        completed += chunk.length;
        progress({
          status: 'downloading',
          completedBytes: completed,
          ...(Number.isFinite(total) ? { totalBytes: total } : {}),
        });
      }
    } finally {
      await handle.close();
    }
    if (Number.isFinite(total) && completed < total)
      throw new Error(`the connection closed after ${completed} of ${total} bytes`);
  }

  function authFor(url: string): Record<string, string> {
    // The token goes to the hub only, never to the storage it redirects to.
    return token && new URL(url).origin === new URL(hub).origin
      ? { authorization: `Bearer ${token}` }
      : {};
  }

  async function fetchOrFail(url: string, init: RequestInit, reference: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (init.method === 'HEAD' || options.signal?.aborted) {
        throw new GatewayError(
          `Cannot reach ${hub} (${error instanceof Error ? error.message : String(error)}). Check the network, or set HF_ENDPOINT to a reachable mirror.`,
          { status: 502, type: 'upstream_error', code: 'upstream_unreachable', cause: error },
        );
      }
      throw error;
    }
    if (response.ok || (response.status >= 300 && response.status < 400) || response.status === 416)
      return response;
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      throw new GatewayError(
        `${reference} is gated or private (${response.status}). Accept its licence on the hub and set HF_TOKEN to a token that may read it.`,
        { status: 502, type: 'upstream_error', code: 'upstream_auth_failed' },
      );
    }
    if (response.status === 404) {
      throw new GatewayError(
        `${reference} does not exist on ${hub} (404). Check the user, repository and file name (they are case-sensitive).`,
        { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
      );
    }
    throw new Error(`the hub answered ${response.status}`);
  }
}

/** The sha256 in an `x-linked-etag` header (`"<64 hex>"`), if it is one. */
function lfsSha256(etag: string | null): string | undefined {
  const value = etag?.replace(/^W\//, '').replaceAll('"', '').trim();
  return value && /^[0-9a-f]{64}$/i.test(value) ? value : undefined;
}

async function isWhole(
  file: string,
  totalBytes: number,
  expected: string | undefined,
): Promise<boolean> {
  const stats = await fs.stat(file).catch(() => undefined);
  if (!stats) return false;
  if (Number.isFinite(totalBytes) && stats.size !== totalBytes) return false;
  return expected === undefined || (await sha256Of(file)) === expected;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
