import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { continuingReply } from '../../testkit/continuing-reply.js';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { continueInstruction } from './continuation.js';

/**
 * Fallback as a player would notice it (or not): a route of three models behind the
 * real HTTP API, the primary failing in every way an upstream fails.
 */
const primaryText = 'The lantern flickers as you step into the damp cave.';
const continuation = ' A cold wind answers from somewhere deep inside.';
const backupText = 'Backup narrator: the cave is dark and quiet.';
let primary: FakeUpstream;
let backup: FakeUpstream;
let test: TestGateway;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'I enter the cave.' }];

beforeAll(async () => {
  primary = await startFakeUpstream({ flavor: 'openai', reply: { text: primaryText, chunks: 4 } });
  backup = await startFakeUpstream({
    flavor: 'openai',
    reply: {
      text: continuingReply(continuation, backupText),
      chunks: 3,
    },
  });
  const refused = await closedPortOrigin();
  test = await startTestGateway({
    providers: [
      { id: 'primary', type: 'openai-compatible', baseUrl: primary.baseUrl },
      { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
      { id: 'down', type: 'openai-compatible', baseUrl: `${refused}/v1`, models: ['gone'] },
    ],
    routes: {
      story: {
        models: ['primary/gpt-4o', 'backup/gpt-4o-mini'],
        deadlines: { firstTokenMs: 300, stallMs: 300, completionMs: 1_000 },
      },
      shaky: { models: ['down/gone', 'backup/gpt-4o-mini'] },
      doomed: {
        models: ['primary/gpt-4o', 'down/gone'],
        deadlines: { firstTokenMs: 300, stallMs: 300, completionMs: 1_000 },
      },
    },
    // These tests fail the primary on purpose; its breaker is tested on its own below.
    resilience: { breaker: { failuresToOpen: 1000 } },
  });
  client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterEach(() => {
  primary.reset();
  backup.reset();
});
afterAll(async () => {
  await test.close();
  await primary.close();
  await backup.close();
});

async function streamText(model: string) {
  const { data: stream, response } = await client.chat.completions
    .create({ model, messages, stream: true })
    .withResponse();
  let text = '';
  let roles = 0;
  let finishes = 0;
  const ids = new Set<string>();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    const choice = chunk.choices[0];
    text += choice?.delta.content ?? '';
    if (choice?.delta.role) roles += 1;
    if (choice?.finish_reason) finishes += 1;
  }
  return { text, roles, finishes, ids, model: response.headers.get('x-tta-model') };
}

/** `tta_models_upstream_errors_total` of one provider, summed over error codes, from /metrics. */
async function upstreamErrors(provider: string): Promise<number> {
  const text = await (await fetch(`${test.url}/metrics`)).text();
  const pattern = new RegExp(
    `^tta_models_upstream_errors_total\\{provider="${provider}",code="[^"]+"\\} (\\d+)$`,
    'gm',
  );
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('fallback before the answer starts', () => {
  it('moves on after a 500, says which model answered, and counts the hidden failure', async () => {
    const before = await upstreamErrors('primary');
    primary.inject({ kind: 'status', status: 500, route: 'chat', times: 1 });
    const { data, response } = await client.chat.completions
      .create({ model: 'route:story', messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(backupText);
    expect(response.headers.get('x-tta-model')).toBe('backup/gpt-4o-mini');
    expect(response.headers.get('x-tta-fallbacks')).toBe('1');
    // The player saw no error, but the operator's metrics show the primary's failure.
    expect(await upstreamErrors('primary')).toBe(before + 1);
  });

  it('moves on at once from a refused connection', async () => {
    const { text, model } = await streamText('route:shaky');
    expect(text).toBe(backupText);
    expect(model).toBe('backup/gpt-4o-mini');
  });
});

describe('fallback mid-stream', () => {
  it('continues a stream cut mid-sentence on the next model, without duplicate or lost text', async () => {
    primary.inject({ kind: 'cut', afterChunks: 3, route: 'chat', times: 1 });
    const result = await streamText('route:story');
    // Role chunk + two of four pieces made it through before the cut.
    const sent = primaryText.slice(0, Math.ceil(primaryText.length / 4) * 2);
    expect(result.text).toBe(sent + continuation);
    expect(result.roles).toBe(1);
    expect(result.finishes).toBe(1);
    expect(result.ids.size).toBe(1);
    expect(result.model).toBe('primary/gpt-4o');
    const asked = backup.requests.at(-1)?.body.messages as Array<{ role: string; content: string }>;
    expect(asked.slice(-2)).toEqual([
      { role: 'assistant', content: sent },
      { role: 'user', content: continueInstruction },
    ]);
  });

  it('switches when the first token does not come in time', async () => {
    primary.inject({ kind: 'hang', route: 'chat', times: 1 });
    const hung = primary.nextRequest();
    const result = await streamText('route:story');
    expect(result.text).toBe(backupText);
    expect(await (await hung).settled).toBe('client-closed');
  });

  it('switches when a stream stalls, and carries the partial answer over', async () => {
    primary.inject({ kind: 'stall', afterChunks: 2, route: 'chat', times: 1 });
    const stalled = primary.nextRequest();
    const result = await streamText('route:story');
    expect(await (await stalled).settled).toBe('client-closed');
    expect(result.text.endsWith(continuation)).toBe(true);
    expect(primaryText.startsWith(result.text.slice(0, -continuation.length))).toBe(true);
    expect(result.finishes).toBe(1);
  });

  it('switches on garbage from the upstream', async () => {
    primary.inject({ kind: 'garbage', route: 'chat', times: 1 });
    expect((await streamText('route:story')).text).toBe(backupText);
  });

  it('abandons a non-streamed call that takes too long', async () => {
    primary.inject({ kind: 'hang', route: 'chat', times: 1 });
    const answer = await client.chat.completions.create({ model: 'route:story', messages });
    expect(answer.choices[0]?.message.content).toBe(backupText);
  });
});

describe('when nothing is left', () => {
  it('lists every attempt and what to do, as JSON before a stream starts', async () => {
    primary.inject({ kind: 'status', status: 503, route: 'chat', times: 1 });
    const response = await fetch(`${test.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'route:doomed', messages, stream: true }),
    });
    expect(response.status).toBe(502);
    const body = (await response.json()) as {
      error: { code: string; message: string; attempts: Array<{ model: string; code: string }> };
    };
    expect(body.error.code).toBe('all_models_failed');
    expect(body.error.attempts.map((attempt) => [attempt.model, attempt.code])).toEqual([
      ['primary/gpt-4o', 'upstream_error'],
      ['down/gone', 'upstream_unreachable'],
    ]);
    expect(body.error.message).toMatch(/tta-models providers/);
  });

  it('does not move on when the upstream calls the request itself bad', async () => {
    primary.inject({
      kind: 'status',
      status: 400,
      message: 'tools[0] is malformed',
      route: 'chat',
      times: 1,
    });
    await expect(
      client.chat.completions.create({ model: 'route:story', messages }),
    ).rejects.toMatchObject({ status: 400 });
    expect(backup.requestCount).toBe(0);
  });

  it('ends a stream whose every model failed mid-way with one error event', async () => {
    primary.inject({ kind: 'cut', afterChunks: 3, route: 'chat', times: 1 });
    const stream = await client.chat.completions.create({
      model: 'route:doomed',
      messages,
      stream: true,
    });
    let text = '';
    await expect(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    }).rejects.toThrow(/Every model failed/);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('rate limits', () => {
  it('leaves a rate-limited model alone for its Retry-After', async () => {
    primary.inject({ kind: 'status', status: 429, retryAfter: 30, route: 'chat', times: 1 });
    const first = await client.chat.completions.create({ model: 'route:story', messages });
    expect(first.choices[0]?.message.content).toBe(backupText);
    const before = primary.requestCount;
    const second = await client.chat.completions.create({ model: 'route:story', messages });
    expect(second.choices[0]?.message.content).toBe(backupText);
    expect(primary.requestCount).toBe(before);
  });
});

describe('health, incidents and sessions', () => {
  let own: TestGateway;
  let ownClient: OpenAI;
  const admin = () => ({ authorization: `Bearer ${own.adminToken}` });

  beforeAll(async () => {
    own = await startTestGateway({
      providers: [
        { id: 'primary', type: 'openai-compatible', baseUrl: primary.baseUrl },
        { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
      ],
      routes: { story: { models: ['primary/gpt-4o', 'backup/gpt-4o-mini'] } },
      resilience: { breaker: { failuresToOpen: 3, halfOpenAfterMs: 300 } },
    });
    ownClient = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => own.close());

  async function incidents(): Promise<
    Array<{ model: string; kind: string; action: string; sessionId: string | null }>
  > {
    const response = await fetch(`${own.url}/api/incidents?limit=100`, { headers: admin() });
    return ((await response.json()) as { incidents: [] }).incidents;
  }

  it('opens a breaker after repeated failures, routes around the model, probes it and closes again', async () => {
    primary.inject({ kind: 'status', status: 500, route: 'chat', times: 3 });
    for (let turn = 0; turn < 3; turn++) {
      expect(
        (await ownClient.chat.completions.create({ model: 'route:story', messages })).choices[0]
          ?.message.content,
      ).toBe(backupText);
    }
    const callsWhileOpen = primary.requestCount;
    await ownClient.chat.completions.create({ model: 'route:story', messages });
    expect(primary.requestCount).toBe(callsWhileOpen);

    const health = (await (
      await fetch(`${own.url}/api/health/models`, { headers: admin() })
    ).json()) as {
      models: Array<{ model: string; breaker: string; errorRate: number }>;
    };
    expect(health.models.find((model) => model.model === 'primary/gpt-4o')).toMatchObject({
      breaker: 'open',
      errorRate: 1,
    });

    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await ownClient.chat.completions.create({ model: 'route:story', messages });
    expect(probe.choices[0]?.message.content).toBe(primaryText);

    const kinds = (await incidents())
      .filter((incident) => incident.model === 'primary/gpt-4o')
      .map((incident) => incident.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['switch', 'breaker_opened', 'breaker_half_open', 'breaker_closed']),
    );
    const switched = (await incidents()).find((incident) => incident.kind === 'switch');
    expect(switched?.action).toBe('switched to backup/gpt-4o-mini');
  });

  it('keeps a session on the model that took over until the preferred one answers again', async () => {
    const session = { 'x-tta-session': 'player-42' };
    primary.inject({ kind: 'status', status: 503, route: 'chat', times: 1 });
    const first = await ownClient.chat.completions.create(
      { model: 'route:story', messages },
      { headers: session },
    );
    expect(first.choices[0]?.message.content).toBe(backupText);

    const before = primary.requestCount;
    const second = await ownClient.chat.completions.create(
      { model: 'route:story', messages },
      { headers: session },
    );
    expect(second.choices[0]?.message.content).toBe(backupText);
    expect(primary.requestCount).toBe(before);

    // Someone else's request shows the primary is answering again.
    await ownClient.chat.completions.create({ model: 'route:story', messages });
    const third = await ownClient.chat.completions.create(
      { model: 'route:story', messages },
      { headers: session },
    );
    expect(third.choices[0]?.message.content).toBe(primaryText);

    const stored = (await (
      await fetch(`${own.url}/api/sessions/player-42`, { headers: admin() })
    ).json()) as {
      turns: number;
      pinnedModel: string | null;
      history: Array<{ from: string; to: string; cause: string }>;
    };
    expect(stored).toMatchObject({ turns: 3, pinnedModel: null });
    expect(stored.history).toEqual([
      expect.objectContaining({
        from: 'primary/gpt-4o',
        to: 'backup/gpt-4o-mini',
        cause: 'upstream_error',
      }),
    ]);
    expect((await incidents()).some((incident) => incident.sessionId === 'player-42')).toBe(true);
  });

  it('refuses a malformed session id', async () => {
    await expect(
      ownClient.chat.completions.create(
        { model: 'route:story', messages },
        { headers: { 'x-tta-session': 'bad id with spaces' } },
      ),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('capability adaptation', () => {
  let small: FakeUpstream;
  let own: TestGateway;

  beforeAll(async () => {
    small = await startFakeUpstream({
      flavor: 'openrouter',
      models: [{ id: 'tiny', contextLength: 1_024 }],
    });
    own = await startTestGateway({
      providers: [
        { id: 'small', type: 'openrouter', baseUrl: small.baseUrl },
        { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
      ],
      routes: { chat: { models: ['small/tiny', 'backup/gpt-4o-mini'] } },
    });
    // The listing tells the gateway the small model's context window.
    await fetch(`${own.url}/v1/models`);
  });
  afterAll(async () => {
    await own.close();
    await small.close();
  });

  async function chat(messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>) {
    const response = await fetch(`${own.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'route:chat', messages }),
    });
    return {
      status: response.status,
      model: response.headers.get('x-tta-model'),
      adapted: response.headers.get('x-tta-adapted'),
    };
  }

  it('fits a long conversation into a small window, oldest turns first, and says so', async () => {
    const long = [{ role: 'system' as const, content: 'You narrate.' }];
    for (let turn = 0; turn < 30; turn++)
      long.push({
        role: turn % 2 ? 'assistant' : 'user',
        content: `Turn ${turn}: ${'story '.repeat(40)}`,
      } as never);
    const answer = await chat(long);
    expect(answer).toMatchObject({ status: 200, model: 'small/tiny' });
    expect(answer.adapted).toMatch(/^context-trimmed:dropped=\d+$/);
    const sent = small.requests.at(-1)?.body.messages as Array<{ role: string; content: string }>;
    expect(sent[0]).toEqual(long[0]);
    expect(sent.at(-1)).toEqual(long.at(-1));
    expect(sent.length).toBeLessThan(long.length);
  });

  it('passes over a model whose window cannot hold even the latest turn', async () => {
    const before = small.requestCount;
    const answer = await chat([{ role: 'user', content: 'story '.repeat(2_000) }]);
    expect(answer).toMatchObject({ status: 200, model: 'backup/gpt-4o-mini' });
    expect(small.requestCount).toBe(before);
  });
});
