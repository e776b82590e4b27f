import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { hashToken } from './token-hash.js';

/**
 * Users against a real server and a fake upstream: a budget of N requests gives N answers
 * and then a 429 with Retry-After; a token budget stops the request after the one that
 * spent it; an expired token is refused with a 401 that says so. Admins are not limited.
 */
let fake: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  fake = await startFakeUpstream({
    flavor: 'openai',
    reply: { text: 'The door creaks open.', promptTokens: 10, completionTokens: 6 },
  });
  test = await startTestGateway({
    providers: [{ id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl }],
    limits: { users: { requestsPerDay: 3 } },
  });
});
afterAll(async () => {
  await test.close();
  await fake.close();
});

function chat(token: string, stream = false) {
  return fetch(`${test.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'up/story-model',
      messages: [{ role: 'user', content: 'Open the door.' }],
      ...(stream ? { stream: true } : {}),
    }),
  });
}

async function addUser(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${test.url}/api/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${test.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

describe('user limits end to end', () => {
  it('answers a user N times under a budget of N requests, then refuses with 429 and Retry-After', async () => {
    const token = await addUser({ name: 'player-one' });
    const statuses: number[] = [];
    for (let request = 0; request < 2; request++) statuses.push((await chat(token)).status);
    const streamed = await chat(token, true);
    statuses.push(streamed.status);
    expect(await streamed.text()).toContain('data: [DONE]');
    expect(statuses).toEqual([200, 200, 200]);
    const upstreamCalls = fake.requests.length;

    const refused = await chat(token);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const body = (await refused.json()) as { error: Record<string, string> };
    expect(body.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'requests_per_day_exceeded',
    });
    expect(body.error.message).toMatch(/all 3 requests of your daily limit.*00:00 UTC/);
    // The refused request never reached the upstream, and the request log has it.
    expect(fake.requests.length).toBe(upstreamCalls);
    const logged = await fetch(`${test.url}/api/requests?limit=50`, {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    const { requests } = (await logged.json()) as { requests: Array<Record<string, unknown>> };
    expect(requests.find((row) => row.id === refused.headers.get('x-request-id'))).toMatchObject({
      model: null,
      requestedModel: 'up/story-model',
      status: 429,
      errorCode: 'requests_per_day_exceeded',
    });

    // The admin is not limited; the user sees their own count.
    expect((await chat(test.adminToken)).status).toBe(200);
    const mine = await fetch(`${test.url}/api/me/usage`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await mine.json()) as { usage: Record<string, any> }).usage).toMatchObject({
      used: { requests: 3, tokens: 48 },
      limits: { requestsPerDay: 3 },
    });
  });

  it("stops the request after the one that spent a user's token budget", async () => {
    const token = await addUser({
      name: 'player-two',
      limits: { requestsPerDay: null, tokensPerDay: 20 },
    });
    expect((await chat(token)).status).toBe(200);
    expect((await chat(token)).status).toBe(200);
    const refused = await chat(token);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'tokens_per_day_exceeded',
    );
  });

  it('refuses an expired token with a 401 that says it expired and how to get a new one', async () => {
    const token = 'tta_user_expired-token-for-the-test-0123456789';
    await test.gateway.storage.users.add({
      name: 'player-three',
      role: 'user',
      tokenHash: hashToken(token),
      expiresAt: Date.now() - 1_000,
    });
    await test.gateway.access.usersChanged();
    for (const response of [
      await chat(token),
      await fetch(`${test.url}/api/me/usage`, { headers: { authorization: `Bearer ${token}` } }),
    ]) {
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: Record<string, string> };
      expect(body.error).toMatchObject({ type: 'authentication_error', code: 'token_expired' });
      expect(body.error.message).toMatch(/expired at .*tta-models users rotate/);
    }
  });
});
