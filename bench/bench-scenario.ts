/**
 * What the benchmark asks of the gateway: every feature the issue names switched on — a
 * client key sent as a bearer token (auth), `model: "auto"` with a task (selection), a
 * session header (sessions), with request recording and metrics always on — and the
 * variants the cost-growth section compares (catalog size, live sessions, conversation
 * length). Plain data and small builders; no I/O.
 */
import type { JobTarget, SessionRotation } from './load-jobs.js';

/** The provider id the benchmark configures; models are `bench/<upstream model>`. */
export const benchProviderId = 'bench';

/** The client key of `auth.apiKeys`, sent as `Authorization: Bearer ...`. */
export const benchClientKey = 'bench-client-key-0123456789abcdef';

/** The task of every `auto` request: one every model of the fake qualifies for. */
export const benchTask = 'general_chat';

/** The upstream model plain requests name. */
export const upstreamModel = 'gpt-4o-mini';

/**
 * Context window the fake reports for every model, in tokens: small enough that the long
 * conversation of the growth section must be trimmed to fit (context fitting at work).
 */
export const benchContextLength = 4_096;

/** Models in the catalog of the main gateway, and of the large one in the growth section. */
export const catalogSizes = { small: 10, large: 1_000 } as const;

/**
 * Live sessions the all-features requests spread over, each request in one chosen at random:
 * players whose turns overlap now and then. (All requests in one session would measure
 * concurrent writes to one session instead; the growth section shows that case apart.)
 */
export const liveSessions = 100;

/** Live sessions of the session case of the growth section. */
export const manySessions = 10_000;

/** Messages of the long conversation of the growth section (the short one has 2). */
export const longConversation = 200;

/** The upstream ids of a catalog of `size` models: the plain model, then `bench-model-NNNN`. */
export function catalogModelIds(size: number): string[] {
  return [
    upstreamModel,
    ...Array.from(
      { length: size - 1 },
      (_, index) => `bench-model-${String(index + 1).padStart(4, '0')}`,
    ),
  ];
}

const scene =
  'The torchlight catches wet limestone; water drips somewhere ahead in the narrow passage.';

/**
 * A conversation of `length` messages: a system prompt, then user and assistant turns
 * alternating, ending on a user turn. Two messages is the short request of the main table.
 */
export function conversation(length: number): Array<{ role: string; content: string }> {
  const messages = [{ role: 'system', content: 'You narrate a text adventure.' }];
  const turns = length - 1;
  for (let index = 0; index < turns; index++) {
    const fromUser = (turns - 1 - index) % 2 === 0;
    messages.push(
      fromUser
        ? { role: 'user', content: `Turn ${index}: the player lights a torch. Describe the cave.` }
        : { role: 'assistant', content: `Turn ${index}: ${scene}` },
    );
  }
  return messages;
}

/** What a target's requests carry, apart from where they go. */
export type TargetRequest = Omit<JobTarget, 'origin' | 'path'>;

/** The plain chat body (the floor and direct ignore the provider prefix). */
export function plainBody(messages = conversation(2)): Record<string, unknown> {
  return { model: `${benchProviderId}/${upstreamModel}`, messages, max_tokens: 64 };
}

/** The request of the floor and direct targets: the body alone. */
export function floorRequest(messages = conversation(2)): TargetRequest {
  return { body: plainBody(messages) };
}

/** One session, or `count` of them. */
function sessionRotation(count: number): SessionRotation {
  return { header: 'x-tta-session', prefix: 'bench-session-', count };
}

const bearer = { authorization: `Bearer ${benchClientKey}` };

/** Every feature on: bearer key, `auto` with a task, a session header. */
export function allFeaturesRequest(
  options: { messages?: ReturnType<typeof conversation>; sessions?: number } = {},
): TargetRequest {
  return {
    body: { model: 'auto', messages: options.messages ?? conversation(2), max_tokens: 64 },
    headers: { ...bearer, 'x-tta-task': benchTask },
    sessions: sessionRotation(options.sessions ?? liveSessions),
  };
}

/** A plain model name with the bearer key: no selection, no session. */
export function plainModelRequest(): TargetRequest {
  return { body: plainBody(), headers: bearer };
}
