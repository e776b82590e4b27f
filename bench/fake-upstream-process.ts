/**
 * Child-process entry that runs the shared fake OpenAI upstream for the benchmark, in an
 * event loop of its own. The reply comes from `BENCH_FAKE_REPLY` (JSON) and can be changed
 * over IPC; the models it lists come from `BENCH_FAKE_MODELS` (JSON, default the fake's
 * own). The process exits when the parent goes away.
 */

import { startFakeUpstream } from '../testkit/fake-upstream.js';
import type { FakeModel, FakeReply } from '../testkit/fake-wire.js';

/** Parent to fake-upstream child. */
export type FakeControlMessage = { type: 'set-reply'; id: number; reply: Partial<FakeReply> };

/** Fake-upstream child to parent. */
export type FakeStatusMessage =
  | { type: 'ready'; origin: string; baseUrl: string }
  | { type: 'reply-set'; id: number };

function tell(message: FakeStatusMessage): void {
  process.send?.(message);
}

const reply = JSON.parse(process.env.BENCH_FAKE_REPLY ?? '{}') as Partial<FakeReply>;
const listed = process.env.BENCH_FAKE_MODELS;
const models = listed === undefined ? undefined : (JSON.parse(listed) as FakeModel[]);
const upstream = await startFakeUpstream({
  flavor: 'openai',
  maxLoggedRequests: 0,
  reply,
  ...(models === undefined ? {} : { models }),
});

process.on('message', (message: FakeControlMessage) => {
  if (message.type !== 'set-reply') return;
  upstream.setReply(message.reply);
  tell({ type: 'reply-set', id: message.id });
});
process.on('disconnect', () => {
  upstream.close().finally(() => process.exit(0));
});
tell({ type: 'ready', origin: upstream.origin, baseUrl: upstream.baseUrl });
