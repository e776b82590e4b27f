import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { openRouterFixtureModels } from '../../../testkit/openrouter-fixture.js';
import { startTestGateway, type TestGateway } from '../../../testkit/start-test-gateway.js';

/** `/api/setup`, `/api/me` and `/api/tasks` over HTTP: what the dashboard's pages rest on. */
let openRouter: FakeUpstream;
let ollama: FakeUpstream;
let test: TestGateway;
const key = 'sk-or-v1-setup-route-secret-77aa';

beforeAll(async () => {
  openRouter = await startFakeUpstream({ flavor: 'openrouter', models: openRouterFixtureModels() });
  ollama = await startFakeUpstream({ flavor: 'ollama' });
  test = await startTestGateway({ providers: [] });
});
afterAll(async () => {
  await test.close();
  await openRouter.close();
  await ollama.close();
});

const call = (route: string, init: RequestInit = {}, token = test.adminToken) =>
  fetch(`${test.url}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

describe('/api/setup', () => {
  it('says setup is needed and what this machine has and runs', async () => {
    const answer = await call(`/api/setup?ollamaUrl=${encodeURIComponent(ollama.origin)}`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as Record<string, any>;
    expect(body.needed).toBe(true);
    expect(body.configFile).toBe(test.gateway.paths.configFile);
    expect(body.machine.cores).toBeGreaterThan(0);
    expect(body.servers.find((server: any) => server.kind === 'ollama')).toMatchObject({
      found: true,
      models: ['llama3.2:1b', 'qwen2.5:0.5b'],
    });
    expect(body.localRecommendations.length).toBeGreaterThan(0);
  });

  it('previews without writing, then writes config.yaml with the key in the vault only', async () => {
    const request = { openRouter: { baseUrl: openRouter.baseUrl, key } };
    const preview = await call('/api/setup', {
      method: 'POST',
      body: JSON.stringify({ ...request, dryRun: true }),
    });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({ written: false });
    expect(fs.existsSync(test.gateway.paths.configFile)).toBe(false);
    expect(await test.gateway.keys.list(undefined)).toEqual([]);

    const answer = await call('/api/setup', { method: 'POST', body: JSON.stringify(request) });
    const text = await answer.text();
    expect(answer.status).toBe(200);
    expect(text).not.toContain(key);
    const body = JSON.parse(text) as Record<string, any>;
    expect(body).toMatchObject({ written: true, restart: true, backup: null });
    expect(body.keys).toMatchObject([{ providerId: 'openrouter', last4: '77aa', status: 'valid' }]);
    expect(body.recommendedFree.length).toBeGreaterThan(0);
    expect(body.recommendedFree[0].name).toMatch(/^openrouter\/.+:free$/);
    const written = fs.readFileSync(test.gateway.paths.configFile, 'utf8');
    expect(written).toContain(openRouter.baseUrl);
    expect(written).not.toContain(key);
    // The running gateway's admin token still works: setup never replaced it.
    expect((await call('/api/me')).status).toBe(200);
    // The write is audited as the admin's (the preview was not), the key by id only.
    const audit = await call('/api/audit?action=setup.*');
    const auditText = await audit.text();
    expect(auditText).not.toContain(key);
    expect((JSON.parse(auditText) as { entries: unknown[] }).entries).toEqual([
      expect.objectContaining({
        actor: 'admin',
        channel: 'api',
        action: 'setup.write',
        subject: `config:${test.gateway.paths.configFile}`,
        detail: expect.objectContaining({
          providers: [expect.objectContaining({ id: 'openrouter' })],
          keys: [expect.stringMatching(/^key_/)],
        }),
      }),
    ]);
  });

  it('refuses a key its provider refuses, storing and writing nothing new', async () => {
    const before = fs.readFileSync(test.gateway.paths.configFile, 'utf8');
    openRouter.inject({ kind: 'status', status: 401, route: 'key', times: 1 });
    const answer = await call('/api/setup', {
      method: 'POST',
      body: JSON.stringify({
        openRouter: { baseUrl: openRouter.baseUrl, key: 'sk-or-v1-refused-0000' },
        custom: { id: 'mine', type: 'anthropic' },
      }),
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await answer.text()).not.toContain('sk-or-v1-refused-0000');
    expect(fs.readFileSync(test.gateway.paths.configFile, 'utf8')).toBe(before);
    expect(await test.gateway.keys.list(undefined)).toHaveLength(1);
  });

  it('asks for something to set up, and is for the admin only', async () => {
    const empty = await call('/api/setup', { method: 'POST', body: '{}' });
    expect(empty.status).toBe(400);
    const { token } = (await (
      await call('/api/users', { method: 'POST', body: JSON.stringify({ name: 'player' }) })
    ).json()) as { token: string };
    expect((await call('/api/setup', {}, token)).status).toBe(403);
    const me = (await (await call('/api/me', {}, token)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ kind: 'user', name: 'player' });
    const tasks = (await (await call('/api/tasks', {}, token)).json()) as {
      tasks: Array<{ name: string; description: string | null }>;
    };
    expect(tasks.tasks).toContainEqual({
      name: 'narrative_generation',
      description: 'Continue the story scene by scene.',
    });
  });
});
