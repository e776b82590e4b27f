import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { continuingReply } from '../../testkit/continuing-reply.js';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import type { FaultBehaviour } from '../../testkit/faults.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { answeredOnce, type ChatOutcome, sendChat } from './send-chat.js';

/**
 * Many requests, several at a time, through a route whose first model fails in every way
 * an upstream fails (refused, 500, 429, hung, cut mid-stream, garbage) and whose second
 * model is healthy: every request is answered exactly once, with whole text, and each
 * failed upstream call costs exactly one call to the fallback. One fault at a time is
 * src/resilience/fallback.e2e.test.ts's subject; this is the mix, at volume.
 */
const primaryText = 'The lantern flickers as you step into the damp cave.';
const continuation = ' A cold wind answers from somewhere deep inside.';
const backupText = 'Backup narrator: the cave is dark and quiet.';
let primary: FakeUpstream;
let backup: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  primary = await startFakeUpstream({ flavor: 'openai', reply: { text: primaryText, chunks: 4 } });
  backup = await startFakeUpstream({
    flavor: 'openai',
    reply: {
      text: continuingReply(continuation, backupText),
      chunks: 3,
    },
  });
  test = await startTestGateway({
    providers: [
      { id: 'primary', type: 'openai-compatible', baseUrl: primary.baseUrl },
      { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
    ],
    routes: {
      story: {
        models: ['primary/gpt-4o', 'backup/gpt-4o-mini'],
        // Short enough for a hung upstream to cost little, long enough for a busy machine.
        deadlines: { firstTokenMs: 1_500, stallMs: 1_500, completionMs: 2_500 },
      },
    },
    // Every request should meet the primary's fault, not a breaker routing around it.
    resilience: { breaker: { failuresToOpen: 100_000 } },
  });
});
afterAll(async () => {
  await test?.close();
  await primary?.close();
  await backup?.close();
});

/** The faults mixed in, and how many requests meet each. */
const faultMix: Array<[string, FaultBehaviour, number]> = [
  ['refuse', { kind: 'refuse' }, 12],
  ['500', { kind: 'status', status: 500 }, 12],
  ['429', { kind: 'status', status: 429 }, 12],
  ['hang', { kind: 'hang' }, 6],
  ['cut', { kind: 'cut', afterChunks: 3 }, 12],
  ['garbage', { kind: 'garbage' }, 12],
];
const healthyCount = 84;

/** A fixed shuffle (a linear congruential sequence), so every run meets the same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let index = result.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

/** Runs `tasks` with at most `limit` at once, results in order. */
async function pooled<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Whole text a player may see: the primary's, the backup's, or the primary's start continued. */
function isWholeAnswer(outcome: ChatOutcome): boolean {
  if (outcome.text === primaryText || outcome.text === backupText) return true;
  if (!outcome.text.endsWith(continuation)) return false;
  const start = outcome.text.slice(0, -continuation.length);
  return start.length > 0 && primaryText.startsWith(start);
}

describe('a route with a healthy fallback under a mix of upstream faults', () => {
  it('answers every request exactly once, and each failed call costs one fallback call', {
    timeout: 60_000,
  }, async () => {
    const healthy: FaultBehaviour = { kind: 'delay', ms: 0 };
    const plan = shuffled(
      [
        ...faultMix.flatMap(([name, fault, count]) =>
          Array.from({ length: count }, () => ({ name, fault })),
        ),
        ...Array.from({ length: healthyCount }, () => ({ name: 'none', fault: healthy })),
      ],
      20_261_127,
    );
    // The primary meets the faults in this order, whichever request arrives first.
    for (const { fault } of plan) primary.inject({ ...fault, route: 'chat', times: 1 });
    const requestCount = plan.length;

    const outcomes = await pooled(
      Array.from(
        { length: requestCount },
        (_unused, index) => () =>
          sendChat(test.url, { model: 'route:story', stream: index % 3 !== 0 }),
      ),
      8,
    );

    // The client side: one whole answer per request, no error, no id twice.
    const answered = outcomes.filter(answeredOnce);
    expect(outcomes.filter((outcome) => !answeredOnce(outcome))).toEqual([]);
    expect(outcomes.filter((outcome) => !isWholeAnswer(outcome))).toEqual([]);
    const requestIds = new Set(outcomes.map((outcome) => outcome.requestId));
    expect(requestIds.size).toBe(requestCount);

    // The upstream side: the primary was asked once per request; every call of it that
    // failed (a fault, or a healthy answer the deadline gave up on) was followed by
    // exactly one call to the backup, and no other backup call was made.
    const primaryCalls = primary.requests.filter((request) => request.route === 'chat');
    const backupCalls = backup.requests.filter((request) => request.route === 'chat');
    expect(primaryCalls).toHaveLength(requestCount);
    const outcomesOfPrimary = await Promise.all(primaryCalls.map((call) => call.settled));
    const failedPrimaryCalls = primaryCalls.filter(
      (call, index) => call.fault?.kind !== 'delay' || outcomesOfPrimary[index] !== 'answered',
    ).length;
    expect(backupCalls).toHaveLength(failedPrimaryCalls);
    const continued = outcomes.filter((outcome) => outcome.text.endsWith(continuation)).length;
    expect(continued).toBeGreaterThan(0);

    // The request log: one row per request, none twice.
    await test.gateway.storage.requests.flush();
    const logged = await test.gateway.storage.requests.recent({ limit: 1000 });
    const loggedIds = logged.map((row) => row.id).filter((id) => requestIds.has(id));
    expect(loggedIds.sort()).toEqual([...requestIds].sort());
    expect(logged.filter((row) => requestIds.has(row.id) && row.status !== 200)).toEqual([]);

    const faulted = faultMix.map(([name, , count]) => `${name} ${count}`).join(', ');
    console.log(
      `[faults] upstream mix: ${requestCount} requests (8 at a time, ${outcomes.filter((outcome) => outcome.stream).length} streamed), ` +
        `primary faults ${faulted}; ${answered.length}/${requestCount} answered exactly once, 0 errors, ` +
        `${continued} streams continued mid-way; upstream calls ${primaryCalls.length} primary + ${backupCalls.length} backup ` +
        `= ${requestCount} + ${failedPrimaryCalls} failed; ${loggedIds.length} log rows, one per request`,
    );
  });
});
