import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgresServer,
} from '../../testkit/postgres-server.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';

/**
 * Two gateways sharing one real PostgreSQL database: a user's daily request limit holds
 * across both (counted in the database, not per process), and either shows the same usage.
 */
describe.runIf(postgresAvailable())('user limits across two replicas', { timeout: 60_000 }, () => {
  let postgres: PostgresServer;
  let fake: FakeUpstream;
  let replicas: TestGateway[] = [];

  beforeAll(async () => {
    postgres = await startPostgresServer();
    fake = await startFakeUpstream({ flavor: 'openai' });
    const url = await postgres.createDatabase();
    const config = {
      providers: [{ id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl }],
      database: { url },
    };
    // One home (its vault master key) for both; one after the other: the first migrates.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-limits-replicas-'));
    replicas = [await startTestGateway(config, { home }), await startTestGateway(config, { home })];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await fake.close();
    await postgres?.stop();
  });

  const replica = (index: number): TestGateway => {
    const found = replicas[index % replicas.length];
    if (!found) throw new Error('no replica');
    return found;
  };

  it('admits a user exactly their daily requests over both replicas, then refuses on either', async () => {
    const added = await fetch(`${replica(0).url}/api/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${replica(0).adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'roamer', limits: { requestsPerDay: 6 } }),
    });
    const { token } = (await added.json()) as { token: string };
    const chat = (index: number) =>
      fetch(`${replica(index).url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'up/m', messages: [{ role: 'user', content: 'Go north.' }] }),
      });
    // Eight at once, four on each replica: exactly six are served.
    const statuses = (await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(chat))).map(
      (response) => response.status,
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(6);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    for (const index of [0, 1]) expect((await chat(index)).status).toBe(429);

    const usage = await fetch(`${replica(1).url}/api/me/usage`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await usage.json()) as { usage: Record<string, any> }).usage.used).toMatchObject({
      requests: 6,
      tokens: 6 * 16,
    });
  });
});
