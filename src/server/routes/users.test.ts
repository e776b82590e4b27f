import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../testkit/start-test-gateway.js';

/** `/api/users`, `/api/usage`, `/api/me/usage` and `/api/audit` over HTTP. */
let test: TestGateway;

beforeAll(async () => {
  test = await startTestGateway({
    providers: [
      { id: 'up', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] },
    ],
    limits: { users: { requestsPerMinute: 30, requestsPerDay: 500 } },
  });
});
afterAll(async () => {
  await test.close();
});

async function call(
  route: string,
  init: { method?: string; body?: unknown; token?: string; reason?: string } = {},
) {
  const response = await fetch(`${test.url}${route}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? test.adminToken}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.reason ? { 'x-tta-reason': init.reason } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, any> };
}

describe('users with expiry and limits', () => {
  let adaToken: string;

  it('adds a user with an expiry and own limits, lists both, and audits it without the token', async () => {
    const before = Date.now();
    const added = await call('/api/users', {
      method: 'POST',
      body: {
        name: 'ada',
        expiresIn: '30d',
        limits: { requestsPerDay: 5, tokensPerDay: null },
        reason: 'pilot player',
      },
    });
    expect(added.status).toBe(201);
    adaToken = added.body.token;
    expect(adaToken).toMatch(/^tta_user_/);
    expect(added.body.user).toMatchObject({
      name: 'ada',
      status: 'active',
      limits: { requestsPerDay: 5, tokensPerDay: null },
    });
    const expiresAt = added.body.user.expiresAt as number;
    expect(expiresAt - before).toBeGreaterThanOrEqual(30 * 86_400_000);

    const listed = await call('/api/users');
    expect(listed.body.users).toEqual([
      expect.objectContaining({ name: 'ada', expiresAt, status: 'active' }),
    ]);

    const audit = await call('/api/audit?action=users.*');
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        actor: 'admin',
        channel: 'api',
        action: 'users.add',
        subject: 'user:ada',
        reason: 'pilot player',
        detail: expect.objectContaining({ expiresAt, role: 'user' }),
      }),
    ]);
    expect(audit.text).not.toContain(adaToken);
    expect(audit.text).not.toContain(adaToken.slice(-20));
  });

  it('refuses a bad lifetime, a taken name and an unknown user with clear errors', async () => {
    const bad = await call('/api/users', {
      method: 'POST',
      body: { name: 'bo', expiresIn: '3 days' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_expiry' });
    expect(bad.body.error.message).toMatch(/e\.g\. 30d/);
    const taken = await call('/api/users', { method: 'POST', body: { name: 'ada' } });
    expect(taken.status).toBe(409);
    const missing = await call('/api/users/nobody/rotate', { method: 'POST', body: {} });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('user_not_found');
    const limits = await call('/api/users/ada/limits', {
      method: 'PUT',
      body: { limits: { requestsPerDay: -1 } },
    });
    expect(limits.status).toBe(400);
  });

  it('lets a user see their own usage and limits, and nothing of the admin routes', async () => {
    const mine = await call('/api/me/usage', { token: adaToken });
    expect(mine.status).toBe(200);
    expect(mine.body.usage).toMatchObject({
      name: 'ada',
      used: { requests: 0, tokens: 0, costUsd: 0 },
      // Own limit over the default; tokensPerDay lifted; the default per minute kept.
      limits: { requestsPerDay: 5, requestsPerMinute: 30 },
    });
    expect(mine.body.usage.limits.tokensPerDay).toBeUndefined();
    for (const route of ['/api/usage', '/api/audit', '/api/users']) {
      const refused = await call(route, { token: adaToken });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('admin_required');
    }
    const admin = await call('/api/me/usage');
    expect(admin.body).toMatchObject({ usage: null });
  });

  it('sets limits, shows everyone to the admin, and audits from and to', async () => {
    const set = await call('/api/users/ada/limits', {
      method: 'PUT',
      body: { limits: { requestsPerDay: 50, costPerDayUsd: 1.5 } },
      reason: 'more play time',
    });
    expect(set.status).toBe(200);
    expect(set.body.inForce).toEqual({
      requestsPerMinute: 30,
      requestsPerDay: 50,
      costPerDayUsd: 1.5,
    });
    const everyone = await call('/api/usage');
    expect(everyone.body.usage).toEqual([
      expect.objectContaining({ name: 'ada', limits: set.body.inForce }),
    ]);
    const audit = await call('/api/audit?action=users.limits');
    expect(audit.body.entries[0]).toMatchObject({
      reason: 'more play time',
      detail: {
        from: { requestsPerDay: 5, tokensPerDay: null },
        to: { requestsPerDay: 50, costPerDayUsd: 1.5 },
      },
    });
  });

  it('rotates a token, keeping its expiry unless told, and the old one stops working', async () => {
    const rotated = await call('/api/users/ada/rotate', { method: 'POST', body: {} });
    expect(rotated.status).toBe(200);
    const listed = await call('/api/users');
    expect(rotated.body.user.expiresAt).toBe(listed.body.users[0].expiresAt);
    expect((await call('/api/me/usage', { token: adaToken })).status).toBe(401);
    adaToken = rotated.body.token;
    expect((await call('/api/me/usage', { token: adaToken })).status).toBe(200);

    const never = await call('/api/users/ada/rotate', { method: 'POST', body: { never: true } });
    expect(never.body.user.expiresAt).toBeNull();
    const both = await call('/api/users/ada/rotate', {
      method: 'POST',
      body: { never: true, expiresIn: '1d' },
    });
    expect(both.status).toBe(400);
    adaToken = never.body.token;
  });

  it('revokes with the reason from x-tta-reason, and the audit filters by actor, channel and time', async () => {
    const revoked = await call('/api/users/ada', { method: 'DELETE', reason: 'left the pilot' });
    expect(revoked.status).toBe(200);
    const entries = (await call('/api/audit?subject=user:ada')).body.entries as Array<
      Record<string, unknown>
    >;
    expect(entries.map((entry) => entry.action)).toEqual([
      'users.revoke',
      'users.rotate',
      'users.rotate',
      'users.limits',
      'users.add',
    ]);
    expect(entries[0]).toMatchObject({ reason: 'left the pilot' });
    expect((await call('/api/audit?actor=someone-else')).body.entries).toEqual([]);
    expect((await call('/api/audit?channel=cli')).body.entries).toEqual([]);
    expect((await call(`/api/audit?since=${Date.now() + 60_000}`)).body.entries).toEqual([]);
    const badTime = await call('/api/audit?since=yesterday');
    expect(badTime.status).toBe(400);
    expect(badTime.text).toMatch(/ISO 8601/);
  });
});

describe('the OpenAPI document', () => {
  it('describes the new routes', async () => {
    const document = await call('/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/audit',
        '/api/usage',
        '/api/me/usage',
        '/api/users/{id}/rotate',
        '/api/users/{id}/limits',
      ]),
    );
  });
});

describe('the audit of other administrative changes', () => {
  it('records shared keys added and removed by the admin, never the secret', async () => {
    const secret = 'sk-audited-secret-0123456789abcdef';
    const added = await call('/api/keys', {
      method: 'POST',
      body: { providerId: 'up', secret, label: 'shared', skipValidation: true },
      reason: 'team key',
    });
    expect(added.status).toBe(201);
    const id = added.body.key.id as string;
    expect((await call(`/api/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
    const audit = await call('/api/audit?action=keys.*');
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ action: 'keys.remove', subject: `key:${id}` }),
      expect.objectContaining({
        action: 'keys.add',
        subject: `key:${id}`,
        reason: 'team key',
        detail: expect.objectContaining({ providerId: 'up', owner: 'operator', label: 'shared' }),
      }),
    ]);
    expect(audit.text).not.toContain(secret);
    expect(audit.text).not.toContain(secret.slice(-4));
  });

  it("records the admin's preferences and alert evaluations", async () => {
    const preferences = await call('/api/preferences', {
      method: 'PUT',
      body: { freeOnly: true },
    });
    expect(preferences.status).toBe(200);
    expect((await call('/api/alerts/evaluate', { method: 'POST' })).status).toBe(200);
    const audit = await call('/api/audit');
    expect(audit.body.entries.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'alerts.evaluate', subject: 'alerts' }),
      expect.objectContaining({
        action: 'preferences.set',
        subject: 'preferences:operator',
        detail: { preferences: { freeOnly: true } },
      }),
    ]);
  });
});
