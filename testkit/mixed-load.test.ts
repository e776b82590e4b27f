import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { runMixedLoad } from './mixed-load.js';

describe('runMixedLoad', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openai', maxLoggedRequests: 0 });
  });
  afterAll(() => fake.close());

  const load = () => ({
    origin: fake.origin,
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
    rate: 200,
    seconds: 0.5,
    streamEvery: 2,
    expectedTexts: ['Hello from the fake upstream.'],
  });

  it('counts complete answers, streamed and not, as answered', async () => {
    fake.reset();
    const result = await runMixedLoad(load());
    expect(result).toMatchObject({ requests: 100, streamed: 50, clientErrors: 0 });
    expect(result.answersByText).toEqual({ 'Hello from the fake upstream.': 100 });
  });

  it('counts every broken answer as a client-visible error: error statuses, cut JSON, streams without [DONE]', async () => {
    fake.reset();
    fake.inject({ kind: 'status', status: 500, route: 'chat', every: 10 });
    fake.inject({ kind: 'truncate', route: 'chat', every: 9 });
    const result = await runMixedLoad(load());
    expect(fake.faultCount).toBe(20);
    expect(result.clientErrors).toBe(20);
    expect(result.errorSamples.join('\n')).toMatch(/status 500/);
    expect(result.errorSamples.join('\n')).toMatch(/not JSON|did not end with \[DONE\]/);
    expect(result.answersByText['Hello from the fake upstream.']).toBe(80);
  });

  it('counts an answer with other text, or an in-stream error, as an error', async () => {
    fake.reset();
    fake.inject({ kind: 'stream-error', route: 'chat', every: 2 });
    const streamedErrors = await runMixedLoad({ ...load(), streamEvery: 1 });
    expect(streamedErrors.clientErrors).toBe(50);
    fake.reset();
    const wrongText = await runMixedLoad({ ...load(), expectedTexts: ['Something else.'] });
    expect(wrongText.clientErrors).toBe(100);
    expect(wrongText.errorSamples[0]).toMatch(/unexpected answer/);
  });
});
