/**
 * The three targets of the benchmark — the fake upstream itself (direct), the floor proxy
 * and the gateway — each in a child process, and the fake's control channel.
 */
import type { FakeReply } from '../testkit/fake-wire.js';
import {
  allFeaturesRequest,
  benchContextLength,
  catalogModelIds,
  catalogSizes,
  floorRequest,
  plainModelRequest,
  type TargetRequest,
} from './bench-scenario.js';
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
import { type GatewayProcess, type GatewaySettings, startGateway } from './gateway-process.js';
import type { JobTarget } from './load-jobs.js';

/**
 * Names of the targets of the main table, in table order: `gateway` has every feature on,
 * `plain` is the same gateway process asked for a plain model name (no selection, no session).
 */
export const targetNames = ['direct', 'floor', 'json-floor', 'gateway', 'plain'] as const;

/** A target's name. */
export type TargetName = (typeof targetNames)[number];

/** A target that is running, with what its requests carry. */
export interface RunningTarget<Name extends string = TargetName> {
  name: Name;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Its process, for memory figures. */
  handle: ChildHandle;
  /** Body and headers of its requests. */
  request: TargetRequest;
}

/** The load target of a running target. */
export function jobTarget(target: RunningTarget<string>): JobTarget {
  return { origin: target.origin, path: '/v1/chat/completions', ...target.request };
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
  // The largest catalog of the run; each gateway's config restricts it to its own size.
  const models = catalogModelIds(catalogSizes.large).map((id) => ({
    id,
    contextLength: benchContextLength,
  }));
  const handle = spawnTypeScript(
    'fake upstream',
    `${repositoryRoot}/bench/fake-upstream-process.ts`,
    {
      BENCH_FAKE_REPLY: JSON.stringify(reply),
      BENCH_FAKE_MODELS: JSON.stringify(models),
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

/**
 * Starts the floor proxy (compiled, bare Node) in front of `upstreamOrigin`; with `json`, the
 * JSON floor (see `floor-proxy.ts`).
 */
export async function startFloorProxy(
  upstreamOrigin: string,
  mode: 'pass-through' | 'json' = 'pass-through',
): Promise<RunningTarget> {
  const file = buildFloorProxy();
  const handle = spawnChild({
    name: mode === 'json' ? 'JSON floor proxy' : 'floor proxy',
    command: process.execPath,
    args: [file],
    env: { BENCH_UPSTREAM_ORIGIN: upstreamOrigin, BENCH_FLOOR_JSON: mode === 'json' ? '1' : '0' },
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
  return {
    name: mode === 'json' ? 'json-floor' : 'floor',
    origin: url,
    handle,
    request: floorRequest(),
  };
}

/** The direct target: the fake upstream itself. */
export function directTarget(fake: FakeUpstreamProcess): RunningTarget {
  return { name: 'direct', origin: fake.origin, handle: fake.handle, request: floorRequest() };
}

/**
 * Starts a gateway child; the main one is both the `gateway` target (every feature on) and
 * the `plain` one (a plain model name).
 */
export async function startGatewayTargets(
  home: string,
  upstreamBaseUrl: string,
  settings: GatewaySettings,
): Promise<{ gateway: RunningTarget; plain: RunningTarget; process: GatewayProcess }> {
  const process = await startGateway(home, upstreamBaseUrl, settings);
  // As a client would on start: list the models. The listing also tells the gateway each
  // model's context window, which context fitting needs.
  const listed = await fetch(`${process.url}/v1/models`, {
    headers: { authorization: `Bearer ${settings.clientKeys[0] ?? ''}` },
  });
  await listed.arrayBuffer();
  const common = { origin: process.url, handle: process.handle };
  return {
    gateway: { name: 'gateway', ...common, request: allFeaturesRequest() },
    plain: { name: 'plain', ...common, request: plainModelRequest() },
    process,
  };
}

/**
 * Sends one plain and one streamed request to a target and throws, with the answer, unless
 * both succeed — so a broken target fails loudly rather than as a column of errors.
 */
export async function checkTarget(target: RunningTarget<string>): Promise<void> {
  const { body, headers, sessions } = target.request;
  const session = sessions === undefined ? {} : { [sessions.header]: `${sessions.prefix}0` };
  for (const stream of [false, true]) {
    const response = await fetch(`${target.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...session },
      body: JSON.stringify({ ...body, stream }),
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
