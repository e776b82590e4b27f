/**
 * The three targets of the benchmark — the fake upstream itself (direct), the floor proxy
 * and the gateway — each in a child process, and the fake's control channel.
 */
import type { FakeReply } from '../testkit/fake-wire.js';
import {
  type ChildHandle,
  sendMessage,
  spawnChild,
  spawnTypeScript,
  stopChild,
  waitForMessage,
} from './child-process.js';
import type { FakeStatusMessage } from './fake-upstream-process.js';
import { buildFloorProxy, repositoryRoot } from './floor-build.js';
import { benchProviderId, type GatewayProcess, startGateway } from './gateway-process.js';
import type { JobTarget } from './load-jobs.js';

/** Names of the targets, in table order. */
export const targetNames = ['direct', 'floor', 'gateway'] as const;

/** A target's name. */
export type TargetName = (typeof targetNames)[number];

/** A target that is running. */
export interface RunningTarget {
  name: TargetName;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Its process, for memory figures. */
  handle: ChildHandle;
}

/** The upstream model the fake lists, and the model name clients ask the gateway for. */
export const upstreamModel = 'gpt-4o-mini';

/** The chat body every request carries (the fake and the floor ignore the model prefix). */
export const chatBody: Record<string, unknown> = {
  model: `${benchProviderId}/${upstreamModel}`,
  messages: [
    { role: 'system', content: 'You narrate a text adventure.' },
    { role: 'user', content: 'The player lights a torch. Describe the cave.' },
  ],
  max_tokens: 64,
};

/** The load target of a running target. */
export function jobTarget(target: RunningTarget): JobTarget {
  return { origin: target.origin, path: '/v1/chat/completions', body: chatBody };
}

/** The fake upstream child. */
export interface FakeUpstreamProcess {
  handle: ChildHandle;
  origin: string;
  baseUrl: string;
  /** Changes the fake's reply; resolves once it is in force. */
  setReply(reply: Partial<FakeReply>): Promise<void>;
}

/** Starts the fake OpenAI upstream in its own process. */
export async function startFakeUpstreamProcess(
  reply: Partial<FakeReply>,
): Promise<FakeUpstreamProcess> {
  const handle = spawnTypeScript(
    'fake upstream',
    `${repositoryRoot}/bench/fake-upstream-process.ts`,
    {
      BENCH_FAKE_REPLY: JSON.stringify(reply),
    },
  );
  const ready = await waitForMessage(
    handle,
    (message) => {
      const status = message as FakeStatusMessage;
      return status.type === 'ready' ? status : undefined;
    },
    30_000,
  );
  let sequence = 0;
  return {
    handle,
    origin: ready.origin,
    baseUrl: ready.baseUrl,
    async setReply(changes) {
      sequence += 1;
      const id = sequence;
      const done = waitForMessage(
        handle,
        (message) => {
          const status = message as FakeStatusMessage;
          return status.type === 'reply-set' && status.id === id ? true : undefined;
        },
        10_000,
      );
      sendMessage(handle, { type: 'set-reply', id, reply: changes });
      await done;
    },
  };
}

/** Starts the floor proxy (compiled, bare Node) in front of `upstreamOrigin`. */
export async function startFloorProxy(upstreamOrigin: string): Promise<RunningTarget> {
  const file = buildFloorProxy();
  const handle = spawnChild({
    name: 'floor proxy',
    command: process.execPath,
    args: [file],
    env: { BENCH_UPSTREAM_ORIGIN: upstreamOrigin },
    ipc: true,
  });
  const url = await waitForMessage(
    handle,
    (message) => {
      const ready = message as { type?: string; url?: string };
      return ready.type === 'ready' ? ready.url : undefined;
    },
    30_000,
  );
  return { name: 'floor', origin: url, handle };
}

/** Starts the gateway child and wraps it as a target. */
export async function startGatewayTarget(
  home: string,
  upstreamBaseUrl: string,
): Promise<RunningTarget & { process: GatewayProcess }> {
  const gateway = await startGateway(home, upstreamBaseUrl);
  return { name: 'gateway', origin: gateway.url, handle: gateway.handle, process: gateway };
}

/**
 * Sends one plain and one streamed request to a target and throws, with the answer, unless
 * both succeed — so a broken target fails loudly rather than as a column of errors.
 */
export async function checkTarget(target: RunningTarget): Promise<void> {
  for (const stream of [false, true]) {
    const response = await fetch(`${target.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...chatBody, stream }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const expected = stream ? 'data:' : '"choices"';
    if (!response.ok || !text.includes(expected)) {
      throw new Error(
        `${target.name} answered a ${stream ? 'streamed' : 'plain'} chat request with ` +
          `${response.status}: ${text.slice(0, 500)}`,
      );
    }
  }
}

/** Stops children, ignoring those already gone. */
export async function stopAll(handles: readonly ChildHandle[]): Promise<void> {
  await Promise.all(handles.map((handle) => stopChild(handle)));
}
