/**
 * Looks for model servers on this machine where they listen by default: Ollama on
 * port 11434 (`GET /api/tags`) and llama.cpp's `llama-server` on port 8080
 * (`GET /v1/models`, OpenAI's shape). Never throws: a server that does not answer is
 * reported as not found, with the reason.
 */
import { createHttpClient } from '../../providers/http-client.js';
import { ollamaBaseUrl } from '../../providers/ollama/ollama-provider.js';

/** Where llama.cpp's `llama-server` listens unless told otherwise. */
export const llamaCppBaseUrl = 'http://127.0.0.1:8080/v1';

/** What was found at one address. */
export interface DetectedServer {
  /** Which server was looked for. */
  kind: 'ollama' | 'llama.cpp';
  /** The base URL a provider entry would use (Ollama's root; llama.cpp's `/v1`). */
  baseUrl: string;
  /** True when it answered like that server. */
  found: boolean;
  /** The models it serves (pulled models for Ollama). */
  models: string[];
  /** Why it was not found. */
  reason?: string;
}

/** Where to look, and how long to wait at each address. */
export interface DetectOptions {
  /** Ollama's root URL (default http://127.0.0.1:11434). */
  ollamaUrl?: string;
  /** llama.cpp server's base URL (default http://127.0.0.1:8080/v1; a bare origin gets `/v1`). */
  llamaCppUrl?: string;
  /** Longest wait per server, in milliseconds (default 1,500). */
  timeoutMs?: number;
}

/** Looks for Ollama and a llama.cpp server concurrently. */
export async function detectLocalServers(options: DetectOptions = {}): Promise<DetectedServer[]> {
  const timeoutMs = options.timeoutMs ?? 1_500;
  const ollamaRoot = trim(options.ollamaUrl ?? ollamaBaseUrl).replace(/\/v1$/, '');
  const llamaCppRoot = trim(options.llamaCppUrl ?? llamaCppBaseUrl);
  const llamaCpp = llamaCppRoot.endsWith('/v1') ? llamaCppRoot : `${llamaCppRoot}/v1`;
  return Promise.all([
    probe('ollama', ollamaRoot, `${ollamaRoot}/api/tags`, timeoutMs, (body) =>
      listOf(body, 'models', (entry) => entry.model ?? entry.name),
    ),
    probe('llama.cpp', llamaCpp, `${llamaCpp}/models`, timeoutMs, (body) =>
      listOf(body, 'data', (entry) => entry.id),
    ),
  ]);
}

async function probe(
  kind: DetectedServer['kind'],
  baseUrl: string,
  url: string,
  timeoutMs: number,
  read: (body: unknown) => string[] | undefined,
): Promise<DetectedServer> {
  const http = createHttpClient({
    providerId: kind,
    headers: () => ({ accept: 'application/json' }),
    timeoutMs,
  });
  try {
    const models = read(await http.getJson(url));
    if (models === undefined)
      return { kind, baseUrl, found: false, models: [], reason: `${url} is not a ${kind} server` };
    return { kind, baseUrl, found: true, models };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(`${kind}: `, '') : String(error);
    return { kind, baseUrl, found: false, models: [], reason };
  } finally {
    await http.close();
  }
}

function listOf(
  body: unknown,
  field: string,
  name: (entry: Record<string, unknown>) => unknown,
): string[] | undefined {
  const list = (body as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((entry) => {
    const value = typeof entry === 'object' && entry !== null ? name(entry) : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}
