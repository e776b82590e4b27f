/**
 * The fault suite's clients: a chat client that counts what a player's client would see
 * (one HTTP answer per request, and in a stream how many role chunks, finish reasons and
 * `[DONE]` markers arrived: each must be exactly one), and the admin's control-plane calls.
 */

/** One control-plane request with the admin token, JSON in and out. */
export function sendAdmin(
  gateway: { url: string; adminToken: string },
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${gateway.adminToken}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

/** What one chat request got back. */
export interface ChatOutcome {
  /** HTTP status of the answer. */
  status: number;
  /** The gateway's `x-request-id`. */
  requestId: string;
  /** `x-tta-model`: the model that answered, when one did. */
  model: string | null;
  /** Whether the request asked for a stream. */
  stream: boolean;
  /** The answer's text (all deltas joined, for a stream). */
  text: string;
  /** Chunks (or messages) carrying `role`. */
  roles: number;
  /** Chunks (or choices) carrying a `finish_reason`. */
  finishes: number;
  /** `data: [DONE]` markers (streams only). */
  doneMarkers: number;
  /** Distinct completion ids seen (one answer has one id). */
  completionIds: number;
  /** The parsed error body of a non-2xx answer, or of an error event in a stream. */
  error?: { message: string; type: string; code: string | null };
}

interface Choice {
  delta?: { role?: string; content?: string | null };
  message?: { role?: string; content?: string | null };
  finish_reason?: string | null;
}

interface ChatFrame {
  id?: string;
  choices?: Choice[];
  error?: { message: string; type: string; code: string | null };
}

/** Sends one chat completion to `baseUrl` and reads the whole answer. */
export async function sendChat(
  baseUrl: string,
  request: { model: string; stream: boolean; content?: string; session?: string },
): Promise<ChatOutcome> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(request.session ? { 'x-tta-session': request.session } : {}),
    },
    body: JSON.stringify({
      model: request.model,
      stream: request.stream,
      messages: [{ role: 'user', content: request.content ?? 'I light the lantern.' }],
    }),
  });
  const outcome: ChatOutcome = {
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? '',
    model: response.headers.get('x-tta-model'),
    stream: request.stream,
    text: '',
    roles: 0,
    finishes: 0,
    doneMarkers: 0,
    completionIds: 0,
  };
  const body = await response.text();
  const ids = new Set<string>();
  const frames: ChatFrame[] = [];
  if (!request.stream || !response.ok) {
    frames.push(JSON.parse(body) as ChatFrame);
  } else {
    for (const line of body.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      const data = line.slice('data: '.length).trim();
      if (data === '[DONE]') outcome.doneMarkers += 1;
      else frames.push(JSON.parse(data) as ChatFrame);
    }
  }
  for (const frame of frames) {
    if (frame.error) outcome.error = frame.error;
    if (frame.id) ids.add(frame.id);
    for (const choice of frame.choices ?? []) {
      const part = choice.delta ?? choice.message;
      if (part?.role) outcome.roles += 1;
      outcome.text += part?.content ?? '';
      if (choice.finish_reason) outcome.finishes += 1;
    }
  }
  outcome.completionIds = ids.size;
  return outcome;
}

/** True when the client got one whole answer: one role, one finish, one id, one `[DONE]` if streamed. */
export function answeredOnce(outcome: ChatOutcome): boolean {
  return (
    outcome.status === 200 &&
    outcome.error === undefined &&
    outcome.roles === 1 &&
    outcome.finishes === 1 &&
    outcome.completionIds === 1 &&
    outcome.doneMarkers === (outcome.stream ? 1 : 0)
  );
}
