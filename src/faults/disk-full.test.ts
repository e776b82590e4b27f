import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { mountSmallDisk, type SmallDisk } from '../../testkit/small-disk.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { answeredOnce, sendAdmin, sendChat } from './send-chat.js';
import { storedRequestIds } from './stored-request-ids.js';

/**
 * The disk holding the SQLite file fills up (a real one: a small tmpfs): chat keeps
 * answering, the request-log rows it cannot write wait in memory, the operator reads
 * why in the log, a control-plane write gets a clear 503, and when space returns the
 * rows are written once, without a restart. Needs root to mount the tmpfs; skipped with
 * the reason printed elsewhere.
 */
const disk = mountSmallDisk(16);
const unavailable = 'unavailable' in disk ? disk.unavailable : undefined;
if (unavailable) console.warn(`Skipping the disk-full fault test: ${unavailable}`);

describe.runIf(unavailable === undefined)('the disk holding the database full', () => {
  const smallDisk = disk as SmallDisk;
  let upstream: FakeUpstream;
  let test: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream({ flavor: 'openai' });
    test = await startTestGateway(
      { providers: [{ id: 'up', type: 'openai-compatible', baseUrl: upstream.baseUrl }] },
      { logLines, home: path.join(smallDisk.folder, 'home') },
    );
  });
  afterAll(async () => {
    try {
      await test?.close();
      await upstream?.close();
    } finally {
      smallDisk.unmount();
    }
  });

  it('keeps chat answering, keeps the rows, says why, and writes them once space returns', async () => {
    const requestLog = test.gateway.storage.requests;
    expect(answeredOnce(await sendChat(test.url, { model: 'up/gpt-4o-mini', stream: false }))).toBe(
      true,
    );
    await requestLog.flush();
    // Empty the write-ahead log to zero bytes, so the next write needs new space on disk.
    const checkpointer = new BetterSqlite3(test.gateway.paths.databaseFile);
    checkpointer.pragma('wal_checkpoint(TRUNCATE)');
    checkpointer.close();
    const filled = smallDisk.fill();

    const chatCount = 30;
    const whileFull = await Promise.all(
      Array.from({ length: chatCount }, (_unused, index) =>
        sendChat(test.url, { model: 'up/gpt-4o-mini', stream: index % 2 === 0 }),
      ),
    );
    await requestLog.flush();
    const statsWhileFull = requestLog.stats();
    const write = await sendAdmin(test, '/api/preferences', {
      method: 'PUT',
      body: JSON.stringify({ freeOnly: true }),
    });
    const writeBody = (await write.json()) as { error: { code: string; message: string } };
    smallDisk.freeSpace();

    expect(whileFull.filter(answeredOnce)).toHaveLength(chatCount);
    expect(statsWhileFull).toMatchObject({ buffered: chatCount, dropped: 0 });
    expect(statsWhileFull.failedFlushes).toBeGreaterThan(0);
    expect(write.status).toBe(503);
    expect(writeBody.error).toMatchObject({
      code: 'database_unavailable',
      message: expect.stringMatching(/\(the disk holding the database is full\).*retry/),
    });
    const warning = logLines.find((line) => line.includes('request log: writing'));
    expect(warning).toMatch(
      /request log: writing \d+ rows failed \(kept for retry; \d+ waiting in memory, at most 50000\): the disk holding the database is full: database or disk is full/,
    );

    // Space is back: the log's own retry writes the rows, and control-plane writes work.
    await vi.waitFor(() => expect(requestLog.stats().buffered).toBe(0), { timeout: 15_000 });
    const requestIds = new Set(whileFull.map((outcome) => outcome.requestId));
    const stored = storedRequestIds(test.gateway.paths.databaseFile);
    expect(stored.filter((id) => requestIds.has(id)).sort()).toEqual([...requestIds].sort());
    expect(requestLog.stats()).toMatchObject({ written: chatCount + 1, dropped: 0 });
    const retried = await sendAdmin(test, '/api/preferences', {
      method: 'PUT',
      body: JSON.stringify({ freeOnly: true }),
    });
    expect(retried.status).toBe(200);
    console.log(
      `[faults] disk full (${Math.round(filled / 1024)} KiB filler on a 16 MiB tmpfs): ${chatCount}/${chatCount} chats answered once, ` +
        `${statsWhileFull.failedFlushes} request-log flushes refused, write answered 503 then 200, ` +
        `${requestIds.size} rows written once after space returned, 0 dropped`,
    );
  });
});
