import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgresServer,
} from '../../testkit/postgres-server.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { answeredOnce, sendAdmin, sendChat } from './send-chat.js';

/**
 * The shared PostgreSQL server taken down for a while (a restart, a failover) under a
 * running gateway: chat keeps answering and its request-log rows wait in memory, the
 * control plane answers a clear 503 rather than a 500 or a hang, and when the server is
 * back everything works again and every row is written once, without restarting the
 * gateway. Required under CI=true; skipped, with the reason, where PostgreSQL is missing.
 */
describe.runIf(postgresAvailable())('the PostgreSQL server down for a while', () => {
  let server: PostgresServer;
  let databaseUrl: string;
  let upstream: FakeUpstream;
  let test: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await startPostgresServer();
    databaseUrl = await server.createDatabase();
    upstream = await startFakeUpstream({ flavor: 'openai' });
    test = await startTestGateway(
      {
        providers: [{ id: 'up', type: 'openai-compatible', baseUrl: upstream.baseUrl }],
        database: { url: databaseUrl, poolSize: 4 },
      },
      { logLines },
    );
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await upstream?.close();
    await server?.stop();
  });

  const admin = (path: string, init?: RequestInit) => sendAdmin(test, path, init);

  async function storedRequestIds(): Promise<string[]> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ id: string }>('select id from requests');
      return result.rows.map((row) => row.id);
    } finally {
      await client.end();
    }
  }

  it('keeps chat answering, answers the control plane with a 503, and recovers by itself', {
    timeout: 60_000,
  }, async () => {
    const requestLog = test.gateway.storage.requests;
    // A gateway that has served traffic; the pool holds open connections when the server
    // goes, the harder case.
    expect(answeredOnce(await sendChat(test.url, { model: 'up/gpt-4o-mini', stream: false }))).toBe(
      true,
    );
    await requestLog.flush();
    expect((await admin('/api/preferences')).status).toBe(200);
    const wave = 15;
    const chatCount = 2 * wave;
    // Every third chat is a player's turn in a session begun before the outage.
    const session = 'player-before-the-outage';
    expect(
      answeredOnce(await sendChat(test.url, { model: 'up/gpt-4o-mini', stream: false, session })),
    ).toBe(true);
    await requestLog.flush();
    const chats = () =>
      Promise.all(
        Array.from({ length: wave }, (_unused, index) =>
          sendChat(test.url, {
            model: 'up/gpt-4o-mini',
            stream: index % 2 === 0,
            ...(index % 3 === 0 ? { session } : {}),
          }),
        ),
      );

    await server.pause();
    const down: Awaited<ReturnType<typeof sendChat>>[] = [];
    let failedFlushesWhileDown: number;
    try {
      down.push(...(await chats()));
      // Outlast the short caches of the chat path (which vault key pays, 5 s), so the
      // second wave meets the database being down rather than a fresh cache.
      await sleep(6_000);
      down.push(...(await chats()));
      await requestLog.flush();
      expect(requestLog.stats().buffered).toBe(chatCount);
      failedFlushesWhileDown = requestLog.stats().failedFlushes;

      for (const [method, path, body] of [
        ['GET', '/api/preferences', undefined],
        ['PUT', '/api/preferences', JSON.stringify({ localOnly: true })],
        ['GET', '/api/incidents', undefined],
      ] as const) {
        const answer = await admin(path, { method, ...(body ? { body } : {}) });
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 503 });
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(await answer.json()).toEqual({
          error: {
            message: expect.stringMatching(
              /^The database is unavailable right now \(the database server cannot be reached\).*retry in a few seconds/,
            ),
            type: 'server_error',
            code: 'database_unavailable',
            param: null,
          },
        });
      }
      // Still ready for the load balancer: chat answers, the database is reported down.
      const readiness = await fetch(`${test.url}/readyz`);
      expect(readiness.status).toBe(200);
      expect(await readiness.json()).toMatchObject({
        status: 'degraded',
        checks: { database: 'unavailable' },
      });
    } finally {
      await server.resume();
    }

    expect(down.filter(answeredOnce)).toHaveLength(chatCount);
    const requestIds = new Set(down.map((outcome) => outcome.requestId));
    expect(requestIds.size).toBe(chatCount);
    expect(failedFlushesWhileDown).toBeGreaterThan(0);

    // Back without a restart: the pool reconnects on the next request.
    const write = await admin('/api/preferences', {
      method: 'PUT',
      body: JSON.stringify({ localOnly: true }),
    });
    expect(write.status).toBe(200);
    expect(await (await admin('/api/preferences')).json()).toEqual({
      preferences: { localOnly: true },
    });
    // The rows kept while the server was down are written by the next flush (its own retry
    // timer, backing off up to 5 s, would do it too: src/storage/request-log.test.ts).
    await requestLog.flush();
    expect(requestLog.stats().buffered).toBe(0);
    const stored = await storedRequestIds();
    expect(stored.filter((id) => requestIds.has(id)).sort()).toEqual([...requestIds].sort());
    expect(requestLog.stats()).toMatchObject({ written: chatCount + 2, dropped: 0 });
    expect(logLines.join('\n')).toMatch(
      /request log: writing \d+ rows failed \(kept for retry; \d+ waiting in memory, at most 50000\): the database server cannot be reached/,
    );
    console.log(
      `[faults] PostgreSQL down and back: ${chatCount}/${chatCount} chats answered once while down (a third of them session turns), ` +
        `${failedFlushesWhileDown} request-log flushes refused, control plane 503 (3/3 routes) then 200, ` +
        `${stored.length} rows stored once, 0 dropped, no restart`,
    );
  });
});
