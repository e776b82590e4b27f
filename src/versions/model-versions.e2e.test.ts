import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import {
  type OpenRouterFixtureEntry,
  openRouterFixtureEntries,
  openRouterFixtureModels,
} from '../../testkit/openrouter-fixture.js';
import { writeTinyGguf } from '../../testkit/tiny-gguf.js';
import { resolveHome } from '../config/home.js';
import { loadConfig } from '../config/load-config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { type RunningServer, serve } from '../server/serve.js';
import type { SessionRecord, VersionNoticeRecord } from '../storage/index.js';
import type { NoticeWebhookBody } from './notice-webhook.js';

/**
 * Model versions as an administrator meets them, over the real HTTP API: a fake OpenRouter
 * whose catalog changes between syncs (a price, a context, tools support, a model removed,
 * an expiration date added), a fake Ollama whose digest changes, a GGUF file replaced, a
 * custom server that starts reporting another model — and pins, promotion, rollback,
 * session stickiness, migration and the audit log on top.
 */
const adminToken = 'versions-admin-token-0123456789';
const small = 'openrouter/meta-llama/llama-3.1-8b-instruct';
const large = 'openrouter/meta-llama/llama-3.3-70b-instruct';
const nemo = 'openrouter/mistralai/mistral-nemo';
const llama = 'ollama/llama3.2:1b';
const dayMs = 86_400_000;

let openrouter: FakeUpstream;
let ollama: FakeUpstream;
let custom: FakeUpstream;
let webhook: { server: Server; url: string; bodies: NoticeWebhookBody[] };
let home: string;
let configFile: string;
let modelsDir: string;
let gateway: Gateway;
let server: RunningServer;
let aliceToken: string;

/** The fixture catalog, with the small Llama at known figures. */
function baselineCatalog(): OpenRouterFixtureEntry[] {
  return openRouterFixtureEntries().map((entry) =>
    entry.id === 'meta-llama/llama-3.1-8b-instruct'
      ? { ...entry, pricing: { ...(entry.pricing as object), prompt: '0.00000015' } }
      : entry,
  );
}

/** What OpenRouter lists a week later: the small Llama changed, Nemo gone, the large Llama retiring. */
function changedCatalog(): OpenRouterFixtureEntry[] {
  const retires = new Date(Date.now() + 12.5 * dayMs).toISOString().slice(0, 10);
  return baselineCatalog().flatMap((entry) => {
    if (entry.id === 'mistralai/mistral-nemo') return [];
    if (entry.id === 'meta-llama/llama-3.3-70b-instruct')
      return [{ ...entry, expiration_date: retires }];
    if (entry.id !== 'meta-llama/llama-3.1-8b-instruct') return [entry];
    return [
      {
        ...entry,
        context_length: 65_536,
        top_provider: { ...(entry.top_provider as object), context_length: 65_536 },
        pricing: { ...(entry.pricing as object), prompt: '0.0000002' },
        supported_parameters: (entry.supported_parameters as string[]).filter(
          (parameter) => parameter !== 'tools' && parameter !== 'tool_choice',
        ),
      },
    ];
  });
}

async function api<T>(method: string, route: string, body?: unknown, token = adminToken) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function chat(model: string, session?: string) {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // Users exist, so the data plane wants a token; the admin's will do.
      authorization: `Bearer ${adminToken}`,
      ...(session ? { 'x-tta-session': session } : {}),
    },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'I open the door.' }] }),
  });
  expect(response.status).toBe(200);
  await response.json();
  await gateway.versions.idle();
  return response.headers.get('x-tta-model');
}

async function sync() {
  const result = await api<{ ok: boolean }>('POST', '/api/catalog/sync', {});
  expect(result.body.ok).toBe(true);
  await gateway.versions.idle();
}

async function notices(kind?: string) {
  const query = kind ? `?kind=${kind}&limit=1000` : '?limit=1000';
  return (await api<{ notices: VersionNoticeRecord[] }>('GET', `/api/versions/notices${query}`))
    .body.notices;
}

beforeAll(async () => {
  openrouter = await startFakeUpstream({
    flavor: 'openrouter',
    models: openRouterFixtureModels(baselineCatalog()),
  });
  ollama = await startFakeUpstream({
    flavor: 'ollama',
    models: [{ id: 'llama3.2:1b', digest: `sha256:${'a1'.repeat(32)}` }],
  });
  custom = await startFakeUpstream({
    flavor: 'openai',
    models: ['qwen'],
    reply: { model: 'qwen2.5-1.5b-instruct-q4_k_m.gguf' },
  });
  const bodies: NoticeWebhookBody[] = [];
  const hook = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      bodies.push(JSON.parse(text) as NoticeWebhookBody);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  webhook = {
    server: hook,
    url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
    bodies,
  };

  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-versions-e2e-'));
  modelsDir = path.join(home, 'gguf');
  fs.mkdirSync(modelsDir);
  writeTinyGguf(path.join(modelsDir, 'tiny.gguf'), { seed: 1 });
  configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(
    configFile,
    `# TTA narrator configuration (kept by migrations)
server: { port: 0 }
catalog: { syncIntervalMinutes: 0 }
alerts:
  webhookUrl: ${webhook.url}
providers:
  - id: openrouter
    type: openrouter
    baseUrl: ${openrouter.baseUrl}
  - id: ollama
    type: ollama
    baseUrl: ${ollama.baseUrl}
  - id: local
    type: openai-compatible
    baseUrl: ${custom.baseUrl}
  - id: disk
    type: embedded
    modelsDir: ${modelsDir}
routes:
  story:
    # the narrator: small and cheap first
    models: [${small}, ${large}]
  chat:
    models: [${llama}, ${nemo}] # companion chat
  helper:
    models: [local/qwen]
`,
  );
  const paths = resolveHome({ TTA_MODELS_HOME: home });
  gateway = await createGateway({
    config: loadConfig(configFile, {}).config,
    paths,
    configFile,
    env: { TTA_MODELS_ADMIN_TOKEN: adminToken },
    logger: pino({ level: 'silent' }),
  });
  server = await serve(gateway, { host: '127.0.0.1', port: 0 });
  aliceToken = (await gateway.users.add('alice', 'admin')).token;
});

afterAll(async () => {
  await server?.close();
  await Promise.all([openrouter?.close(), ollama?.close(), custom?.close()]);
  await new Promise<void>((resolve) => webhook.server.close(() => resolve()));
  fs.rmSync(home, { recursive: true, force: true });
});

describe('model versions end to end', () => {
  it('records a baseline on the first sync: no notices but for retirements that concern a route', async () => {
    await sync();
    // The fixture's models with expiration dates are used by no route: nothing to warn of.
    expect(await notices()).toEqual([]);
    const listed = await api<{
      models: Array<{ model: string; versions: number; dependents: string[] }>;
    }>('GET', '/api/versions');
    const used = listed.body.models.filter((entry) => entry.dependents.length > 0);
    expect(used.map((entry) => entry.model).sort()).toEqual([llama, large, small, nemo].sort());
    expect(used.every((entry) => entry.versions === 1)).toBe(true);
    const gguf = await api<{ served: { facts: { sha256: string; family: string } } }>(
      'GET',
      '/api/versions/models/disk/tiny',
    );
    expect(gguf.body.served.facts).toMatchObject({ family: 'llama' });
    expect(gguf.body.served.facts.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pins, promotes and rolls back in one step, each change audited with who and why', async () => {
    const pinned = await api<{ changed: boolean; pin: { model: string; actor: string } }>(
      'POST',
      '/api/versions/pin',
      { subject: 'route:story', model: small, reason: 'the narrator we tested' },
      aliceToken,
    );
    expect(pinned.status).toBe(200);
    expect(pinned.body.pin).toMatchObject({ model: small, actor: 'alice' });
    const chatPin = await api('POST', '/api/versions/pin', {
      subject: 'route:chat',
      model: llama,
      reason: 'local companion',
    });
    expect(chatPin.status).toBe(200);

    // A session starts on the pinned small model.
    expect(await chat('route:story', 'player-1')).toBe(small);
    const session = (await api<SessionRecord>('GET', '/api/sessions/player-1')).body;
    expect(session.modelVersion).toMatchObject({ model: small });

    const promoted = await api<{ pin: { model: string }; previous: { model: string } }>(
      'POST',
      '/api/versions/promote',
      { subject: 'route:story', to: large, reason: 'better stories in the benchmark' },
    );
    expect(promoted.body).toMatchObject({ pin: { model: large }, previous: { model: small } });
    // New sessions get the promoted model; the running story keeps its version.
    expect(await chat('route:story', 'player-2')).toBe(large);
    expect(await chat('route:story', 'player-1')).toBe(small);
    expect(openrouter.requests.at(-1)?.body.model).toBe('meta-llama/llama-3.1-8b-instruct');

    const rolledBack = await api<{ pin: { model: string; action: string } }>(
      'POST',
      '/api/versions/rollback',
      { subject: 'route:story', reason: 'players found the large model slow' },
    );
    expect(rolledBack.body.pin).toMatchObject({ model: small, action: 'rollback' });
    expect(await chat('route:story', 'player-3')).toBe(small);
    // Nothing earlier than the first pin: a second rollback says so.
    const again = await api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/versions/rollback',
      { subject: 'route:story', reason: 'once more' },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('nothing_to_roll_back');

    const audit = await api<{
      entries: Array<{ actor: string; action: string; reason: string; subject: string }>;
    }>('GET', '/api/versions/audit');
    expect(
      audit.body.entries.map((entry) => [entry.actor, entry.action, entry.subject, entry.reason]),
    ).toEqual([
      ['admin', 'versions.rollback', 'route:story', 'players found the large model slow'],
      ['admin', 'versions.promote', 'route:story', 'better stories in the benchmark'],
      ['admin', 'versions.pin', 'route:chat', 'local companion'],
      ['alice', 'versions.pin', 'route:story', 'the narrator we tested'],
    ]);
  });

  it('refuses changes without a reason, and pins outside the route with the way out', async () => {
    const noReason = await api<{ error: { message: string } }>('POST', '/api/versions/pin', {
      subject: 'route:story',
      model: large,
      reason: '',
    });
    expect(noReason.status).toBe(400);
    const outside = await api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/versions/pin',
      {
        subject: 'route:story',
        model: nemo,
        reason: 'try it',
      },
    );
    expect(outside.status).toBe(409);
    expect(outside.body.error.code).toBe('model_not_in_route');
    expect(outside.body.error.message).toContain('tta-models versions migrate');
  });

  it('notices what changed on the next sync, in words, and sends it to the webhook', async () => {
    openrouter.setModels(openRouterFixtureModels(changedCatalog()));
    ollama.setModels([{ id: 'llama3.2:1b', digest: `sha256:${'b2'.repeat(32)}` }]);
    writeTinyGguf(path.join(modelsDir, 'tiny.gguf'), { seed: 2 });
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(modelsDir, 'tiny.gguf'), later, later);
    await sync();

    const [changed] = (await notices('new_version')).filter((notice) => notice.model === small);
    expect(changed?.summary.startsWith(`${small} has a new version (meta-llama/`)).toBe(true);
    expect(
      changed?.summary.endsWith(
        '): context 128k → 64k, prompt price $0.15 → $0.20 per M, tools support dropped',
      ),
    ).toBe(true);
    expect(changed).toMatchObject({ severity: 'breaking', dependents: ['route:story'] });

    const [digest] = (await notices('new_version')).filter((notice) => notice.model === llama);
    expect(digest?.summary).toBe(
      `${llama} has a new version (digest b2b2b2b2b2b2): digest a1a1a1a1a1a1 → b2b2b2b2b2b2`,
    );
    const [file] = (await notices('new_version')).filter((notice) => notice.model === 'disk/tiny');
    expect(file?.summary).toMatch(/file sha256 [0-9a-f]{12} → [0-9a-f]{12}/);

    const [removed] = await notices('removed');
    expect(removed?.model).toBe(nemo);
    expect(removed?.summary).toContain(`${nemo} is gone from openrouter's listing`);
    expect(removed?.summary).toContain('used by route:chat');
    expect(removed?.summary).toMatch(/suggested migration: openrouter\/\S+/);

    const [retiring] = await notices('deprecation');
    expect(retiring?.model).toBe(large);
    expect(retiring?.summary).toMatch(
      /retires in 12 days \(\d{4}-\d{2}-\d{2}\); used by route:story/,
    );

    await gateway.versions.idle();
    const sent = webhook.bodies.map((body) => body.notice.id);
    const stored = await notices();
    expect(stored.map((notice) => notice.kind).sort()).toEqual([
      'conflict',
      'conflict_resolved',
      'deprecation',
      'new_version',
      'new_version',
      'new_version',
      'removed',
    ]);
    expect(sent.sort()).toEqual(stored.map((notice) => notice.id).sort());
    expect(webhook.bodies.find((body) => body.notice.id === changed?.id)?.text).toBe(
      `[tta-models breaking] ${changed?.summary}`,
    );
    expect((await notices()).every((notice) => notice.delivery === 'sent')).toBe(true);
  });

  it('resolves the safe conflict itself and leaves the unsafe one with steps', async () => {
    // Ollama's new digest lost nothing: route:chat's pin moved along, by the system, audited.
    const chatPins = await api<{ pins: Array<{ action: string; actor: string; served: boolean }> }>(
      'GET',
      '/api/versions/pins?subject=route:chat',
    );
    expect(chatPins.body.pins[0]).toMatchObject({ action: 'auto', actor: 'system', served: true });
    const audit = await api<{
      entries: Array<{ actor: string; channel: string; action: string; subject: string }>;
    }>('GET', '/api/versions/audit?action=versions.auto_resolve');
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ actor: 'system', channel: 'system', subject: 'route:chat' }),
    ]);

    // The small Llama lost tools and context: route:story's pin is left to the administrator.
    const report = await api<{
      unresolved: Array<{
        kind: string;
        subjects: string[];
        autoResolvable: boolean;
        steps: string[];
      }>;
    }>('GET', '/api/versions/conflicts');
    expect(report.body.unresolved).toEqual([
      expect.objectContaining({
        kind: 'pin_version_gone',
        subjects: ['route:story'],
        autoResolvable: false,
      }),
    ]);
    expect(report.body.unresolved[0]?.steps).toContain(
      'Accept it for route:story: `tta-models versions promote route:story --reason "reviewed the new version"`.',
    );
    const incidents = await api<{ incidents: Array<{ kind: string; model: string }> }>(
      'GET',
      '/api/incidents?limit=100',
    );
    expect(incidents.body.incidents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'version_conflict_resolved', model: llama }),
        expect.objectContaining({ kind: 'version_conflict', model: small }),
      ]),
    );
  });

  it('moves a session whose version is gone to the nearest compatible one, and records the move', async () => {
    expect(await chat('route:story', 'player-1')).toBe(large);
    const session = (await api<SessionRecord>('GET', '/api/sessions/player-1')).body;
    expect(session.modelVersion).toMatchObject({ model: large });
    expect(session.history.at(-1)).toMatchObject({
      kind: 'version',
      from: small,
      to: large,
      cause: 'version_gone',
    });
    expect(session.history.at(-1)?.summary).toContain('no tools support');
    // A new session takes the route as pinned: the small model's new version.
    expect(await chat('route:story', 'player-4')).toBe(small);
  });

  it('warns of retirements with a timeline, dependents and a migration target, and migrates in one call', async () => {
    const { body } = await api<{
      deprecations: Array<{
        model: string;
        timeline: string;
        dependents: string[];
        suggestion?: { model: string };
        command?: string;
      }>;
    }>('GET', '/api/versions/deprecations');
    const retiring = body.deprecations.find((entry) => entry.model === large);
    expect(retiring).toMatchObject({ dependents: ['route:story'] });
    expect(retiring?.timeline).toMatch(/^retires in 12 days/);
    const gone = body.deprecations.find((entry) => entry.model === nemo);
    expect(gone?.timeline).toMatch(/^gone from openrouter's listing since/);
    expect(gone?.dependents).toEqual(['route:chat']);
    const target = gone?.suggestion?.model ?? '';
    expect(target).toMatch(/^openrouter\/mistralai\//);

    const dryRun = await api<{ routes: string[]; dryRun: boolean }>(
      'POST',
      '/api/versions/migrate',
      {
        from: nemo,
        to: target,
        reason: 'mistral-nemo is gone',
        dryRun: true,
      },
    );
    expect(dryRun.body).toMatchObject({ routes: ['chat'], dryRun: true });
    const before = fs.readFileSync(configFile, 'utf8');

    const migrated = await api<{ routes: string[]; backup: string }>(
      'POST',
      '/api/versions/migrate',
      {
        from: nemo,
        to: target,
        reason: 'mistral-nemo is gone',
      },
    );
    expect(migrated.status).toBe(200);
    expect(migrated.body.backup).toBe(`${configFile}.bak`);
    expect(fs.readFileSync(`${configFile}.bak`, 'utf8')).toBe(before);
    expect(fs.readFileSync(configFile, 'utf8')).toBe(before.replace(`${nemo}]`, `${target}]`));
    // The running gateway serves the new route at once.
    expect(gateway.config.routes.chat?.models).toEqual([llama, target]);
    const audit = await api<{
      entries: Array<{ action: string; subject: string; detail: { routes: string[] } }>;
    }>('GET', '/api/versions/audit?action=versions.migrate');
    expect(audit.body.entries[0]).toMatchObject({ subject: nemo, detail: { routes: ['chat'] } });
  });

  it("knows a custom provider's version by the model its answers report", async () => {
    expect(await chat('route:helper')).toBe('local/qwen');
    const first = await api<{ served: { label: string } }>(
      'GET',
      '/api/versions/models/local/qwen',
    );
    expect(first.body.served.label).toBe('reports "qwen2.5-1.5b-instruct-q4_k_m.gguf"');
    expect((await notices()).filter((notice) => notice.model === 'local/qwen')).toEqual([]);

    custom.setReply({ model: 'qwen2.5-1.5b-instruct-q8_0.gguf' });
    await chat('route:helper');
    const [swapped] = (await notices('new_version')).filter(
      (notice) => notice.model === 'local/qwen',
    );
    expect(swapped?.summary).toBe(
      'local/qwen has a new version (reports "qwen2.5-1.5b-instruct-q8_0.gguf"): reports model "qwen2.5-1.5b-instruct-q4_k_m.gguf" → "qwen2.5-1.5b-instruct-q8_0.gguf"',
    );
    expect(swapped?.dependents).toEqual(['route:helper']);
  });

  it('resolves an alias through its pin, and explains an unknown one', async () => {
    await api('POST', '/api/versions/pin', {
      subject: 'alias:narrator',
      model: large,
      reason: 'one name for TTA',
    });
    expect(await chat('alias:narrator')).toBe(large);
    const unknown = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ model: 'alias:nobody', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain(
      'tta-models versions pin alias:nobody',
    );
  });
});
