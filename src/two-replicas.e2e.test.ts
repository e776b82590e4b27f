import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../testkit/fake-upstream.js';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgresServer,
} from '../testkit/postgres-server.js';

/**
 * Two gateway processes (the CLI's `serve`, from source) behind no balancer at all, on one
 * real PostgreSQL started from Debian's package: what a client does on one replica the
 * other knows — users, keys, pins, sessions — and traffic through both is recorded and
 * counted once. Revocations, pins and failing models reach the other replica at once
 * (PostgreSQL notifications), not after a cache window.
 */
const mainFile = path.resolve(import.meta.dirname, 'cli', 'main.ts');
const adminToken = 'replicas-admin-token-0123456789';
const masterKey = randomBytes(32).toString('base64');
const userKey = 'sk-byok-replicas-0123456789abcdef';

/** One `tta-models serve` process. */
interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  /** What it wrote on stderr, for failures. */
  output: () => string;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

let server: PostgresServer;
let databaseUrl: string;
let up: FakeUpstream;
let byok: FakeUpstream;
let a: Replica;
let b: Replica;
const homes: string[] = [];

/** Writes a home with config.yaml and starts `tta-models serve` on a free port. */
async function startReplica(name: string): Promise<Replica> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `tta-replica-${name}-`));
  homes.push(home);
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    `server: { port: 0 }
log: { level: warn }
database:
  url: ${databaseUrl}
  poolSize: 4
catalog: { syncIntervalMinutes: 0 }
alerts: { evaluateEverySeconds: 0 }
providers:
  - id: up
    type: openai-compatible
    baseUrl: ${up.baseUrl}
    models: [one, two, three, four, five, six]
  - id: byok
    type: openai-compatible
    baseUrl: ${byok.baseUrl}
    models: [m]
routes:
  story: { models: [up/one, up/two, up/three] }
  narrator: { models: [up/one, up/two] }
  fable: { models: [up/five, up/six] }
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', mainFile, 'serve'], {
    env: {
      ...process.env,
      TTA_MODELS_HOME: home,
      TTA_MODELS_ADMIN_TOKEN: adminToken,
      // Every replica opens the vault with the same master key.
      TTA_MODELS_MASTER_KEY: masterKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found?.[1]) {
        child.stderr?.off('data', onData);
        resolve(found[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`replica ${name} exited with ${code} before listening:\n${output}`)),
    );
  });
  return { name, url, child, output: () => output };
}

async function stopReplica(replica: Replica | undefined): Promise<void> {
  if (!replica || replica.child.exitCode !== null) return;
  const exited = new Promise((resolve) => replica.child.once('exit', resolve));
  replica.child.kill('SIGTERM');
  await exited;
}

async function call(
  replica: Replica,
  method: string,
  route: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token === undefined ? adminToken : options.token;
  const response = await fetch(`${replica.url}${route}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, headers: response.headers, body };
}

function chat(
  replica: Replica,
  model: string,
  options: { token?: string | null; session?: string; task?: string } = {},
): Promise<Answer> {
  return call(replica, 'POST', '/v1/chat/completions', {
    ...(options.token === undefined ? {} : { token: options.token }),
    headers: {
      ...(options.session ? { 'x-tta-session': options.session } : {}),
      ...(options.task ? { 'x-tta-task': options.task } : {}),
    },
    body: { model, messages: [{ role: 'user', content: 'I light the lantern.' }] },
  });
}

/** Waits for a condition another process brings about; fails with what was last seen. */
function eventually<T>(check: () => Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 20_000, interval: 200 });
}

/**
 * Waits for what another replica's change brings about, bounded well below the caches'
 * old windows (2 s for pins, 5 s for tokens): only a pushed change arrives this soon.
 */
function promptly<T>(check: () => Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 1_500, interval: 25 });
}

/** One model's health as a replica's API shows it. */
async function modelHealth(replica: Replica, model: string): Promise<Record<string, unknown>> {
  const answer = await call(replica, 'GET', '/api/health/models');
  const models = answer.body.models as Array<Record<string, unknown>>;
  return models.find((entry) => entry.model === model) ?? {};
}

/** A session as one replica's API shows it (read from the shared database). */
async function sessionTurns(replica: Replica, id: string): Promise<number | undefined> {
  const answer = await call(replica, 'GET', `/api/sessions/${id}`);
  return answer.status === 200 ? Number(answer.body.turns) : undefined;
}

/** Plain SQL on the shared database, as an operator would look. */
async function query<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** `tta_models_chat_requests_total` of one model in a replica's Prometheus metrics. */
async function prometheusRequests(replica: Replica, model: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('tta_models_chat_requests_total{'))
    .filter((line) => line.includes(`model="${model}"`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe.runIf(postgresAvailable())('two replicas on one PostgreSQL', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    server = await startPostgresServer();
    databaseUrl = await server.createDatabase('tta_models');
    up = await startFakeUpstream({
      flavor: 'openai',
      models: ['one', 'two', 'three', 'four', 'five', 'six'],
    });
    byok = await startFakeUpstream({ flavor: 'openai', models: ['m'], expectApiKey: userKey });
    // Started together: both migrate the empty database at once.
    [a, b] = await Promise.all([startReplica('a'), startReplica('b')]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await Promise.all([up?.close(), byok?.close()]);
    await server?.stop();
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  });

  it('migrated the database once between them', async () => {
    const applied = await query<{ name: string }>('select name from kysely_migration');
    expect(applied.map((row) => row.name).sort()).toEqual([
      '0001-initial',
      '0002-api-keys',
      '0003-model-catalog',
      '0004-incidents-sessions',
      '0005-benchmarks',
      '0006-model-versions',
      '0007-session-revision',
      '0008-user-limits',
      '0009-shared-health',
    ]);
    for (const replica of [a, b]) expect((await call(replica, 'GET', '/readyz')).status).toBe(200);
  });

  it('knows on one replica the user and key added on the other, and the revocation', async () => {
    // Nobody has a user yet: loopback clients need no token.
    expect((await chat(b, 'up/four', { token: null })).status).toBe(200);

    const added = await call(a, 'POST', '/api/users', { body: { name: 'ada', role: 'user' } });
    expect(added.status).toBe(201);
    const token = String(added.body.token);
    const userId = String((added.body.user as { id: string }).id);

    // B never saw the token: it is good there at once.
    expect((await chat(b, 'up/four', { token })).status).toBe(200);
    // And B locks its data plane at once: it heard that a user exists.
    await promptly(async () =>
      expect((await chat(b, 'up/four', { token: null })).status).toBe(401),
    );

    // Ada's own key, added through A (checked with the provider), pays for her calls on B.
    const key = await call(a, 'POST', '/api/keys', {
      token,
      body: { providerId: 'byok', secret: userKey, label: 'mine' },
    });
    expect(key.status).toBe(201);
    const paid = await chat(b, 'byok/m', { token });
    expect(paid.status).toBe(200);
    expect(byok.requests.at(-1)?.headers.authorization).toBe(`Bearer ${userKey}`);

    // Another user keeps the data plane locked once Ada is gone (with no user left, loopback
    // callers need no token at all).
    expect(
      (await call(a, 'POST', '/api/users', { body: { name: 'bo', role: 'user' } })).status,
    ).toBe(201);
    // B has just honoured the token (and would keep trusting it for 5 s); revoked on A, B
    // refuses it at once.
    expect((await chat(b, 'up/four', { token })).status).toBe(200);
    expect((await call(a, 'DELETE', `/api/users/${userId}`)).status).toBeLessThan(300);
    await promptly(async () => expect((await chat(b, 'up/four', { token })).status).toBe(401));
  });

  it('continues a session on the other replica and back, where it really is', async () => {
    const session = 'player-7';
    // Turn 1 on A: one fails, two takes over, the session stays on two.
    up.inject({ kind: 'status', status: 500, route: 'chat', times: 1 });
    const first = await chat(a, 'route:story', { session });
    expect(first.headers.get('x-tta-model')).toBe('up/two');
    // The turn is recorded after the answer: wait until the database has it.
    await eventually(async () => expect(await sessionTurns(b, session)).toBe(1));

    // Turn 2 on B: it starts on two, where the session is; two fails, and one, three answers.
    const before = up.requests.length;
    up.inject({ kind: 'status', status: 500, route: 'chat', times: 2 });
    const second = await chat(b, 'route:story', { session });
    expect(second.headers.get('x-tta-model')).toBe('up/three');
    expect(up.requests.slice(before).map((request) => request.body.model)).toEqual([
      'two',
      'one',
      'three',
    ]);
    await eventually(async () => expect(await sessionTurns(a, session)).toBe(2));

    // Turn 3 on A, whose memory of the session says "two": it starts on three.
    const third = await chat(a, 'route:story', { session });
    expect(third.headers.get('x-tta-model')).toBe('up/three');
    await eventually(async () => expect(await sessionTurns(b, session)).toBe(3));
    const stored = await call(b, 'GET', `/api/sessions/${session}`);
    expect(stored.body).toMatchObject({ turns: 3, pinnedModel: 'up/three' });
    expect(
      (stored.body.history as Array<{ from: string; to: string }>).map((entry) => [
        entry.from,
        entry.to,
      ]),
    ).toEqual([
      ['up/one', 'up/two'],
      ['up/one', 'up/three'],
    ]);
  });

  it('routes by a pin changed on the other replica at once, both ways', async () => {
    // An answer on A records the version up/two serves, so it can be pinned.
    expect((await chat(a, 'up/two')).status).toBe(200);
    await eventually(async () =>
      expect((await call(a, 'GET', '/api/versions/models/up/two')).body.served).toBeTruthy(),
    );
    expect((await chat(b, 'route:narrator')).headers.get('x-tta-model')).toBe('up/one');

    const pinned = await call(a, 'POST', '/api/versions/pin', {
      body: { subject: 'route:narrator', model: 'up/two', reason: 'the calmer narrator' },
    });
    expect(pinned.status).toBe(200);
    // B has just routed (its own re-read of pins is 2 s away): it leads with two at once.
    await promptly(async () =>
      expect((await chat(b, 'route:narrator')).headers.get('x-tta-model')).toBe('up/two'),
    );

    const unpinned = await call(a, 'POST', '/api/versions/unpin', {
      body: { subject: 'route:narrator', reason: 'back to the route order' },
    });
    expect(unpinned.status).toBe(200);
    await promptly(async () =>
      expect((await chat(b, 'route:narrator')).headers.get('x-tta-model')).toBe('up/one'),
    );
  });

  it('holds a model back on B once its breaker opened on A, and frees it on A once it answered on B', async () => {
    // up/five fails for A's calls, until A's breaker for it opens (three in a row).
    up.inject({ kind: 'status', status: 500, route: 'chat' });
    await eventually(async () => {
      expect((await chat(a, 'up/five')).status).toBeGreaterThanOrEqual(500);
      expect(await modelHealth(a, 'up/five')).toMatchObject({ breaker: 'open' });
    });
    up.clearFaults();

    // B never called five: its own breaker is closed, yet it holds five back, told by A.
    await promptly(async () =>
      expect(await modelHealth(b, 'up/five')).toMatchObject({
        breaker: 'closed',
        samples: 0,
        heldElsewhereUntil: expect.any(Number),
      }),
    );
    const before = up.requests.length;
    const routed = await chat(b, 'route:fable');
    expect(routed.status).toBe(200);
    expect(routed.headers.get('x-tta-model')).toBe('up/six');
    // B went straight to six: not one call of B's to five failed first.
    expect(up.requests.slice(before).map((request) => request.body.model)).toEqual(['six']);

    // Five has recovered. Asked for it alone, B tries it, and it answers.
    expect((await chat(b, 'up/five')).status).toBe(200);
    // A would keep its breaker open for its 15 s pause; B's answer closes it at once.
    await promptly(async () =>
      expect(await modelHealth(a, 'up/five')).toMatchObject({ breaker: 'closed' }),
    );
    expect((await chat(a, 'route:fable')).headers.get('x-tta-model')).toBe('up/five');
  });

  it('records requests through both once each, and counts them once in the metrics', async () => {
    const ids: string[] = [];
    const perReplica = { a: 0, b: 0 };
    const [countedA, countedB] = await Promise.all(
      [a, b].map((replica) => prometheusRequests(replica, 'up/four')),
    );
    for (let index = 0; index < 10; index += 1) {
      const replica = index % 3 === 0 ? b : a;
      const answer = await chat(replica, 'up/four', { task: 'summarization' });
      expect(answer.status).toBe(200);
      ids.push(String(answer.headers.get('x-request-id')));
      perReplica[replica === a ? 'a' : 'b'] += 1;
    }
    // Each replica writes its log in the background, a few hundred ms later.
    const logged = await eventually(async () => {
      const rows = await query<{ id: string }>(
        "select id from requests where model = 'up/four' and task = 'summarization'",
      );
      expect(rows).toHaveLength(ids.length);
      return rows.map((row) => row.id);
    });
    expect(logged.sort()).toEqual([...ids].sort());

    // Both replicas roll the shared log up at once: each sees every request, once.
    const [fromA, fromB] = await Promise.all(
      [a, b].map((replica) =>
        call(replica, 'GET', '/api/metrics?model=up/four&task=summarization&source=live'),
      ),
    );
    for (const answer of [fromA, fromB]) {
      expect(answer?.status).toBe(200);
      const rows = answer?.body.rows as Array<{ model: string; requests: number }>;
      expect(rows).toEqual([expect.objectContaining({ model: 'up/four', requests: ids.length })]);
    }
    const stored = await query<{ requests: number }>(
      "select requests from metrics_daily where model = 'up/four' and task = 'summarization'",
    );
    expect(stored.map((row) => Number(row.requests))).toEqual([ids.length]);

    // Prometheus counts per process: each counted what it served, so a scrape of both adds up.
    const [nowA, nowB] = await Promise.all(
      [a, b].map((replica) => prometheusRequests(replica, 'up/four')),
    );
    expect([(nowA ?? 0) - (countedA ?? 0), (nowB ?? 0) - (countedB ?? 0)]).toEqual([
      perReplica.a,
      perReplica.b,
    ]);
  });
});
