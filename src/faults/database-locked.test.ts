import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { holdSqliteLock } from '../../testkit/hold-sqlite-lock.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { answeredOnce, sendAdmin, sendChat } from './send-chat.js';
import { storedRequestIds } from './stored-request-ids.js';

/**
 * The SQLite file locked by another process (the CLI, a backup, an operator's shell)
 * for longer than the gateway's busy timeout: chat keeps answering and its request-log
 * rows wait in memory, writes to the control plane get a clear 503, reads keep working
 * (WAL), and once the lock goes everything is written exactly once, without a restart.
 */
let upstream: FakeUpstream;
let test: TestGateway;
const logLines: string[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream({ flavor: 'openai' });
  test = await startTestGateway(
    {
      providers: [{ id: 'up', type: 'openai-compatible', baseUrl: upstream.baseUrl }],
      database: { busyTimeoutMs: 200 },
    },
    { logLines },
  );
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

const admin = (path: string, init?: RequestInit) => sendAdmin(test, path, init);

describe('the SQLite file locked by another process', () => {
  it('keeps chat answering, answers writes with a 503, and writes every row once after', async () => {
    const requestLog = test.gateway.storage.requests;
    const chatCount = 40;
    const lock = await holdSqliteLock(test.gateway.paths.databaseFile);
    let locked: Awaited<ReturnType<typeof sendChat>>[];
    let failedFlushesWhileLocked: number;
    try {
      locked = await Promise.all(
        Array.from({ length: chatCount }, (_unused, index) =>
          sendChat(test.url, { model: 'up/gpt-4o-mini', stream: index % 2 === 0 }),
        ),
      );
      // A flush now meets the lock: the rows stay in memory.
      await requestLog.flush();
      expect(requestLog.stats().buffered).toBe(chatCount);
      failedFlushesWhileLocked = requestLog.stats().failedFlushes;

      const write = await admin('/api/preferences', {
        method: 'PUT',
        body: JSON.stringify({ localOnly: true }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get('retry-after')).toBe('5');
      expect(await write.json()).toEqual({
        error: {
          message: expect.stringMatching(
            /^The database is unavailable right now \(another process holds the database lock\).*retry in a few seconds/,
          ),
          type: 'server_error',
          code: 'database_unavailable',
          param: null,
        },
      });
      // WAL readers never wait for the writer.
      const read = await admin('/api/preferences');
      expect(read.status).toBe(200);
    } finally {
      await lock.release();
    }

    expect(locked.filter(answeredOnce)).toHaveLength(chatCount);
    const requestIds = new Set(locked.map((outcome) => outcome.requestId));
    expect(requestIds.size).toBe(chatCount);
    expect(failedFlushesWhileLocked).toBeGreaterThan(0);

    // Without a restart: the same write now succeeds, and every row lands once.
    const retried = await admin('/api/preferences', {
      method: 'PUT',
      body: JSON.stringify({ localOnly: true }),
    });
    expect(retried.status).toBe(200);
    await requestLog.flush();
    const stored = storedRequestIds(test.gateway.paths.databaseFile);
    expect(stored.filter((id) => requestIds.has(id)).sort()).toEqual([...requestIds].sort());
    expect(requestLog.stats()).toMatchObject({ buffered: 0, written: chatCount, dropped: 0 });
    expect(logLines.join('\n')).toMatch(
      /request log: writing \d+ rows failed \(kept for retry; \d+ waiting in memory, at most 50000\): another process holds the database lock/,
    );
    console.log(
      `[faults] SQLite locked by another process: ${chatCount}/${chatCount} chats answered once while locked, ` +
        `${failedFlushesWhileLocked} request-log flushes refused, write answered 503 then 200, ` +
        `${stored.length} rows stored once, 0 dropped`,
    );
  });
});
