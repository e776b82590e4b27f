import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { closedPortOrigin } from '../../testkit/faults.js';
import { validateKey } from './validate-key.js';

const openRouterKey = 'sk-or-v1-7d1c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0';
const openAIKey = 'sk-proj-Canary_0123456789abcdefABCDEF';
const anthropicKey = 'sk-ant-api03-canary-0123456789abcdef';

describe('validateKey with OpenRouter', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({
      flavor: 'openrouter',
      expectApiKey: openRouterKey,
      echoKeyInErrors: true,
    });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  const check = (secret = openRouterKey, extra = {}) =>
    validateKey({ providerType: 'openrouter', baseUrl: fake.baseUrl, secret, ...extra });

  it('reports a working key with its limit, usage and free tier', async () => {
    fake.setReply({
      keyInfo: {
        limit: 10,
        usage: 2.5,
        isFreeTier: false,
        rateLimit: { requests: 200, interval: '10s' },
      },
    });
    const result = await check();
    expect(result).toEqual({
      status: 'valid',
      message: 'OpenRouter accepted the key; $2.50 of $10.00 limit used, $7.50 left',
      details: {
        limit: 10,
        usage: 2.5,
        limitRemaining: 7.5,
        isFreeTier: false,
        rateLimit: { requests: 200, interval: '10s' },
      },
    });
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/key', route: 'key' });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${openRouterKey}`);
    // The label OpenRouter sends shows part of the key: it is not passed on.
    expect(JSON.stringify(result)).not.toContain(openRouterKey.slice(0, 12));
  });

  it('mentions the free tier and the absence of a limit', async () => {
    fake.setReply({
      keyInfo: {
        limit: null,
        usage: 0,
        isFreeTier: true,
        rateLimit: { requests: 20, interval: '10s' },
      },
    });
    expect((await check()).message).toBe(
      'OpenRouter accepted the key; free tier: free models only, with low rate limits; $0.00 used, no credit limit',
    );
  });

  it('reports a key that used up its limit as out of credit', async () => {
    fake.setReply({
      keyInfo: {
        limit: 5,
        usage: 5,
        isFreeTier: false,
        rateLimit: { requests: 200, interval: '10s' },
      },
    });
    expect(await check()).toMatchObject({
      status: 'out_of_credit',
      message: expect.stringContaining('used up its credit limit ($5.00 of $5.00)'),
      renewUrl: 'https://openrouter.ai/settings/credits',
    });
  });

  it('reports a wrong key as invalid, pointing at the keys page, without the key', async () => {
    const wrong = 'sk-or-v1-0000000000000000000000000000000000000000wrongwrongwrong';
    const result = await check(wrong);
    expect(result).toMatchObject({
      status: 'invalid',
      httpStatus: 401,
      renewUrl: 'https://openrouter.ai/settings/keys',
    });
    expect(result.message).toMatch(
      /^OpenRouter rejected the key \(401: .*\); make a new key at https:\/\/openrouter\.ai\/settings\/keys and add it again$/,
    );
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(wrong.slice(9, 30));
  });

  it('maps 402, 403, 429, 5xx and a dead server to their statuses, never echoing the key', async () => {
    const cases: Array<[number, string, RegExp]> = [
      [
        402,
        'out_of_credit',
        /^OpenRouter says the account has no credit left \(402: Insufficient credits \(key: \[redacted\]\)\); add credits at https:\/\/openrouter.ai\/settings\/credits/,
      ],
      [403, 'invalid', /^OpenRouter rejected the key \(403: /],
      [
        429,
        'rate_limited',
        /^OpenRouter is rate limiting this key \(429: .*\); the key may well work, check it again in 7 s$/,
      ],
      [
        503,
        'unreachable',
        /^OpenRouter failed to answer \(503: .*\); the key was not checked, try again later$/,
      ],
    ];
    for (const [status, expected, message] of cases) {
      fake.inject({
        kind: 'status',
        status,
        route: 'key',
        times: 1,
        message: status === 402 ? 'Insufficient credits' : undefined,
        retryAfter: status === 429 ? 7 : undefined,
      });
      const result = await check();
      expect(result.status).toBe(expected);
      expect(result.message).toMatch(message);
      expect(JSON.stringify(result)).not.toContain(openRouterKey);
      if (status === 429) expect(result.retryAfterMs).toBe(7_000);
    }
  });

  it('reports a hung server as unreachable after the timeout', async () => {
    fake.inject({ kind: 'hang', route: 'key', times: 1 });
    expect(await check(openRouterKey, { timeoutMs: 200 })).toEqual({
      status: 'unreachable',
      message: `OpenRouter at ${fake.origin} did not answer within 200 ms; the key was not checked, try again later`,
    });
  });

  it('reports a closed port as unreachable', async () => {
    const origin = await closedPortOrigin();
    const result = await validateKey({
      providerType: 'openrouter',
      baseUrl: `${origin}/api/v1`,
      secret: openRouterKey,
    });
    expect(result.status).toBe('unreachable');
    expect(result.message).toMatch(
      new RegExp(
        `^OpenRouter at ${origin} could not be reached \\(.*ECONNREFUSED.*\\); the key was not checked`,
      ),
    );
  });
});

describe('validateKey with OpenAI-compatible servers', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'openai', expectApiKey: openAIKey });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  it('lists models with the key to check it', async () => {
    expect(
      await validateKey({
        providerType: 'openai-compatible',
        baseUrl: fake.baseUrl,
        secret: openAIKey,
      }),
    ).toEqual({
      status: 'valid',
      message: `127.0.0.1:${new URL(fake.origin).port} accepted the key`,
      details: { models: 2 },
    });
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('does not pass on the key the upstream echoes in its 401', async () => {
    const wrong = 'sk-proj-Wrong_abcdefghijklmnopqrstuvwxyz';
    const result = await validateKey({
      providerType: 'openai-compatible',
      baseUrl: fake.baseUrl,
      secret: wrong,
    });
    expect(result.status).toBe('invalid');
    expect(result.message).toContain('Incorrect API key provided: [redacted]');
    expect(result.message).toContain(`get a working key from whoever runs ${fake.origin}`);
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(fake.requests[0]?.fault).toBeUndefined();
  });

  it('tells a spent quota (429 insufficient_quota) from a rate limit', async () => {
    fake.inject({
      kind: 'status',
      status: 429,
      times: 1,
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
    const result = await validateKey({
      providerType: 'openai-compatible',
      baseUrl: fake.baseUrl,
      secret: openAIKey,
    });
    expect(result.status).toBe('out_of_credit');
  });

  it('reports a missing /models as a baseUrl problem', async () => {
    const result = await validateKey({
      providerType: 'openai-compatible',
      baseUrl: `${fake.origin}/wrong`,
      secret: openAIKey,
    });
    expect(result).toMatchObject({ status: 'unreachable', httpStatus: 404 });
    expect(result.message).toMatch(/has no \/wrong\/models .*check the provider's baseUrl$/);
  });

  it('needs a base URL for openai-compatible, and refuses embedded', async () => {
    await expect(
      validateKey({ providerType: 'openai-compatible', secret: openAIKey }),
    ).rejects.toThrow(/checked against its baseUrl, and none was given/);
    await expect(validateKey({ providerType: 'embedded', secret: openAIKey })).rejects.toThrow(
      /take no API key/,
    );
  });
});

describe('validateKey with Anthropic', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({
      flavor: 'anthropic',
      expectApiKey: anthropicKey,
      echoKeyInErrors: true,
    });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  const check = (secret = anthropicKey) =>
    validateKey({ providerType: 'anthropic', baseUrl: fake.baseUrl, secret });

  it('makes one authenticated model-list call', async () => {
    expect(await check()).toEqual({
      status: 'valid',
      message: 'Anthropic accepted the key',
      details: { models: 1 },
    });
    expect(fake.requests[0]).toMatchObject({ path: '/v1/models?limit=1' });
    expect(fake.requests[0]?.headers).toMatchObject({
      'x-api-key': anthropicKey,
      'anthropic-version': '2023-06-01',
    });
  });

  it('reports a wrong key as invalid with the console link, though the upstream echoes it', async () => {
    const wrong = 'sk-ant-api03-wrong-abcdefghijklmnop';
    const result = await check(wrong);
    expect(result).toMatchObject({
      status: 'invalid',
      renewUrl: 'https://console.anthropic.com/settings/keys',
    });
    expect(result.message).toBe(
      'Anthropic rejected the key (401: invalid x-api-key: [redacted]); make a new key at https://console.anthropic.com/settings/keys and add it again',
    );
  });

  it('reads "credit balance is too low" as out of credit, and 529 as unreachable', async () => {
    fake.inject({
      kind: 'status',
      status: 400,
      times: 1,
      message: 'Your credit balance is too low to access the Anthropic API.',
    });
    expect(await check()).toMatchObject({
      status: 'out_of_credit',
      renewUrl: 'https://console.anthropic.com/settings/billing',
    });
    fake.inject({ kind: 'status', status: 529, times: 1, message: 'Overloaded' });
    expect((await check()).status).toBe('unreachable');
  });
});
