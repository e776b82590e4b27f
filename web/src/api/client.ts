/** Talks to the gateway's own API with the signed-in token; errors carry the API's message. */

/** An error the API answered (OpenAI-shaped body), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API as the pages use it. */
export interface Api {
  /** GET a JSON document. */
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  /** POST, PUT or DELETE with an optional JSON body. */
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Reads a server-sent event stream (a GET, or a POST of `post`) until `signal` aborts or the stream ends. */
  stream(
    path: string,
    onEvent: (event: string, data: string) => void,
    signal: AbortSignal,
    post?: { body: unknown },
  ): Promise<void>;
}

/** Builds the API client; `onUnauthorized` runs when the token is refused (401). */
export function createApi(token: string, onUnauthorized: () => void): Api {
  const headers = (json: boolean): Record<string, string> => ({
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    ...(json ? { 'content-type': 'application/json' } : {}),
  });

  async function call<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(
        'The gateway does not answer. Is `tta-models serve` running?',
        0,
        null,
        null,
      );
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw toApiError(response.status, body);
    }
    return body as T;
  }

  return {
    get: (path, signal) => call(path, { headers: headers(false), ...(signal ? { signal } : {}) }),
    send: (method, path, body) =>
      call(path, {
        method,
        headers: headers(body !== undefined),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async stream(path, onEvent, signal, post) {
      // EventSource cannot send a bearer token, so the stream is read through fetch.
      let response: Response;
      try {
        response = await fetch(path, {
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'text/event-stream',
            ...(post ? { 'content-type': 'application/json' } : {}),
          },
          signal,
          ...(post ? { method: 'POST', body: JSON.stringify(post.body) } : {}),
        });
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        throw new ApiError(
          'The gateway does not answer. Is `tta-models serve` running?',
          0,
          null,
          null,
        );
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => '');
        if (response.status === 401) onUnauthorized();
        throw toApiError(response.status, safeJson(text));
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length > 0) onEvent(event, data.join('\n'));
          end = buffer.indexOf('\n\n');
        }
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { message?: string; code?: string } } | null)?.error;
  const message =
    error?.message ?? (typeof body === 'string' && body ? body : `The gateway answered ${status}.`);
  return new ApiError(message, status, error?.code ?? null, body);
}

/** The public readiness check (no token needed). */
export async function readiness(): Promise<{ status: string; providers: number } | null> {
  try {
    const response = await fetch('/readyz', { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { status: string; checks?: { providers?: number } };
    return { status: body.status, providers: body.checks?.providers ?? 0 };
  } catch {
    return null;
  }
}
