import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';

/** TTA sends tasks, not model names: selection through the real HTTP API. */
let alpha: FakeUpstream;
let beta: FakeUpstream;
let test: TestGateway;
const messages = [{ role: 'user', content: 'The player looks around.' }];

beforeAll(async () => {
  alpha = await startFakeUpstream({
    flavor: 'openai',
    models: ['narrator'],
    reply: { text: 'alpha speaks' },
  });
  beta = await startFakeUpstream({
    flavor: 'openai',
    models: ['narrator'],
    reply: { text: 'beta speaks' },
  });
  test = await startTestGateway({
    providers: [
      { id: 'alpha', type: 'openai-compatible', baseUrl: alpha.baseUrl },
      { id: 'beta', type: 'openai-compatible', baseUrl: beta.baseUrl },
    ],
    // Decisions are not reused, so live health shows at once.
    selection: { cacheMs: 0 },
    resilience: { breaker: { failuresToOpen: 1_000 } },
  });
});
afterAll(async () => {
  await test.close();
  await alpha.close();
  await beta.close();
});

async function ask(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${test.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages, ...body }),
  });
  return {
    status: response.status,
    model: response.headers.get('x-tta-model'),
    selection: response.headers.get('x-tta-selection'),
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
}

const admin = () => ({ authorization: `Bearer ${test.adminToken}` });

describe('model "auto" with a task', () => {
  it('routes a task to a model and says why', async () => {
    const answer = await ask({ model: 'auto' }, { 'x-tta-task': 'general_chat' });
    expect(answer.status).toBe(200);
    expect(answer.model).toBe('alpha/narrator');
    expect(answer.selection).toMatch(
      /^task=general_chat; chose alpha\/narrator \(score [\d.]+: quality/,
    );
    const byName = await ask({ model: 'task:general_chat' });
    expect(byName.model).toBe('alpha/narrator');
  });

  it('moves the task to another model when the first one starts failing', async () => {
    alpha.inject({ kind: 'status', status: 500, route: 'chat', times: 5 });
    for (let turn = 0; turn < 5; turn++) {
      expect((await ask({ model: 'auto', metadata: { task: 'general_chat' } })).model).toBe(
        'beta/narrator',
      );
    }
    const before = alpha.requestCount;
    const answer = await ask({ model: 'auto', metadata: { task: 'general_chat' } });
    expect(answer.model).toBe('beta/narrator');
    expect(answer.selection).toContain('chose beta/narrator');
    expect(alpha.requestCount).toBe(before);
  });

  it('honours a stored favourite', async () => {
    // Faults left over from the previous test (selection stopped sending alpha traffic).
    alpha.clearFaults();
    const saved = await fetch(`${test.url}/api/preferences`, {
      method: 'PUT',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ favourite: 'alpha/narrator' }),
    });
    expect(saved.status).toBe(200);
    expect(
      (
        await ask(
          { model: 'auto' },
          { 'x-tta-task': 'dialogue_generation', authorization: admin().authorization },
        )
      ).model,
    ).toBe('alpha/narrator');
  });

  it('never sends a safety-critical task to an unvetted model, and says what to do', async () => {
    const answer = await ask({ model: 'auto' }, { 'x-tta-task': 'crisis_screening' });
    expect(answer.status).toBe(503);
    expect(answer.body.error?.code).toBe('no_model_available');
    expect(answer.body.error?.message).toContain('safety: never benchmarked on this task');
    expect(answer.body.error?.message).toContain('tta-models bench run');
    expect(alpha.requests.some((request) => JSON.stringify(request.body).includes('crisis'))).toBe(
      false,
    );
  });

  it('asks for a task when there is none, and names the tasks when it is unknown', async () => {
    expect((await ask({ model: 'auto' })).body.error?.code).toBe('task_required');
    const unknown = await ask({ model: 'auto' }, { 'x-tta-task': 'juggling' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('narrative_generation');
  });

  it('filters the catalog to the models suitable for a task', async () => {
    const browse = async (task: string) => {
      const response = await fetch(`${test.url}/api/catalog?task=${task}&refresh=never`, {
        headers: admin(),
      });
      return ((await response.json()) as { models: Array<{ name: string }> }).models.map(
        (model) => model.name,
      );
    };
    expect((await browse('general_chat')).sort()).toEqual(['alpha/narrator', 'beta/narrator']);
    expect(await browse('crisis_screening')).toEqual([]);
  });

  it('explains a decision: chosen, runners-up with scores, excluded with reasons', async () => {
    const response = await fetch(`${test.url}/api/select/explain?task=crisis_screening`, {
      headers: admin(),
    });
    const explained = (await response.json()) as {
      chosen: string | null;
      excluded: Array<{ model: string; reasons: string[] }>;
    };
    expect(explained.chosen).toBeNull();
    expect(explained.excluded.map((model) => model.model)).toEqual([
      'alpha/narrator',
      'beta/narrator',
    ]);
  });
});
