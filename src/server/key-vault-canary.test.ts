import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';

/**
 * The canary test of the key vault: a key with a unique random value goes through a
 * whole flow — validation, chat, streaming, an upstream 401 that quotes the key, error
 * paths, debug logging — and then must appear nowhere: not in the home folder (database,
 * WAL, key file, config), not in a log line, not in a response.
 */
const canary = `sk-or-v1-canary${randomBytes(24).toString('hex')}`;
const seen: string[] = [];
const logLines: string[] = [];
let fake: FakeUpstream;
let test: TestGateway;
let home: string;

async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(`${test.url}${path}`, { ...init, headers });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

beforeAll(async () => {
  fake = await startFakeUpstream({
    flavor: 'openrouter',
    expectApiKey: canary,
    echoKeyInErrors: true,
  });
  test = await startTestGateway(
    {
      log: { level: 'debug' },
      providers: [{ id: 'openrouter', type: 'openrouter', baseUrl: fake.baseUrl }],
    },
    { logLines },
  );
  home = test.home;
});
afterAll(async () => {
  await fake.close();
});

describe('a key with a canary value', () => {
  let userToken: string;
  let keyId: string;

  it('is validated with the provider and stored for its user, shown only by its last 4 characters', async () => {
    const user = await call('/api/users', {
      method: 'POST',
      token: test.adminToken,
      body: JSON.stringify({ name: 'player' }),
    });
    expect(user.status).toBe(201);
    userToken = user.body.token;

    const wrong = await call('/api/keys', {
      method: 'POST',
      token: userToken,
      body: JSON.stringify({ providerId: 'openrouter', secret: 'sk-or-v1-wrongwrongwrongwrong' }),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('key_invalid');
    expect(wrong.body.error.message).toContain('openrouter.ai/settings/keys');

    const added = await call('/api/keys', {
      method: 'POST',
      token: userToken,
      body: JSON.stringify({ providerId: 'openrouter', secret: canary, label: 'my key' }),
    });
    expect(added.status).toBe(201);
    expect(added.body.key).toMatchObject({
      providerId: 'openrouter',
      label: 'my key',
      last4: canary.slice(-4),
      status: 'valid',
    });
    expect(fake.requests.at(-1)?.path).toBe('/api/v1/key');
    keyId = added.body.key.id;
  });

  it("pays for the user's chat calls, streamed or not", async () => {
    const client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: userToken, maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: 'openrouter/meta-llama/llama-3.1-8b-instruct:free',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    seen.push(JSON.stringify(answer));
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${canary}`);

    const stream = await client.chat.completions.create({
      model: 'openrouter/meta-llama/llama-3.1-8b-instruct:free',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    for await (const chunk of stream) seen.push(JSON.stringify(chunk));
  });

  it('is never shown to the user, another user or the admin', async () => {
    const own = await call('/api/keys', { token: userToken });
    expect(own.body.keys).toHaveLength(1);
    const other = await call('/api/users', {
      method: 'POST',
      token: test.adminToken,
      body: JSON.stringify({ name: 'other' }),
    });
    expect((await call('/api/keys', { token: other.body.token })).body.keys).toEqual([]);
    expect(
      (await call(`/api/keys/${keyId}`, { method: 'DELETE', token: other.body.token })).status,
    ).toBe(404);
    const all = await call('/api/keys', { token: test.adminToken });
    expect(all.body.keys.map((key: { id: string }) => key.id)).toEqual([keyId]);
  });

  it('is marked invalid when the upstream refuses it in live traffic, with renewal guidance', async () => {
    fake.inject({
      kind: 'status',
      status: 401,
      message: `Invalid API key ${canary}`,
      route: 'chat',
      times: 2,
    });
    const failed = await call('/v1/chat/completions', {
      method: 'POST',
      token: userToken,
      body: JSON.stringify({
        model: 'openrouter/openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('upstream_auth_failed');
    const [key] = (await call('/api/keys', { token: userToken })).body.keys;
    expect(key.status).toBe('invalid');
    expect(key.statusMessage).toContain('https://openrouter.ai/settings/keys');
    // Routing stopped using it: the retry went out with no key at all (the provider has none).
    expect(fake.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('leaves error paths clean too', async () => {
    await call('/v1/chat/completions', { method: 'POST', token: userToken, body: '{"model":' });
    await call('/v1/chat/completions', {
      method: 'POST',
      token: canary,
      body: JSON.stringify({ model: 'nowhere/x', messages: [{ role: 'user', content: canary }] }),
    });
    await call(`/api/keys/${keyId}/validate`, { method: 'POST', token: userToken });
  });

  it('appears in no file of the home folder, no log line and no response', async () => {
    await test.server.close();
    const files = filesUnder(home).filter((file) => fs.existsSync(file));
    expect(files.some((file) => file.endsWith('.sqlite'))).toBe(true);
    expect(files.some((file) => file.endsWith('master.key'))).toBe(true);
    const forms = [canary, Buffer.from(canary).toString('base64'), canary.slice(10, 40)];
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const form of forms)
        expect(bytes.includes(Buffer.from(form)), `${form} in ${file}`).toBe(false);
    }
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.some((line) => line.includes('"level":20'))).toBe(true);
    for (const text of [...logLines, ...seen]) {
      for (const form of forms) expect(text.includes(form), text.slice(0, 300)).toBe(false);
    }
    fs.rmSync(home, { recursive: true, force: true });
  });
});
