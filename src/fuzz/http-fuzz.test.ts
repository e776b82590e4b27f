import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';

/**
 * Property-based bad input against every route of the real server: whatever arrives,
 * the answer is a 4xx (or a 2xx where the input happens to be valid), never a 5xx,
 * never a crash, always JSON-shaped errors. Bounded: a fixed number of runs per property.
 */
let fake: FakeUpstream;
let test: TestGateway;
let tried = 0;

beforeAll(async () => {
  fake = await startFakeUpstream({ flavor: 'openai', maxLoggedRequests: 0 });
  test = await startTestGateway({
    providers: [{ id: 'up', type: 'openai-compatible', baseUrl: fake.baseUrl }],
    routes: { story: { models: ['up/gpt-4o'] } },
  });
});
afterAll(async () => {
  process.stdout.write(
    `fuzz: ${tried} bad inputs tried against the HTTP API, none answered with a 5xx\n`,
  );
  await test.close();
  await fake.close();
});

async function send(
  method: string,
  path: string,
  body?: string | Uint8Array,
  contentType = 'application/json',
) {
  tried += 1;
  const response = await fetch(`${test.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${test.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body }),
  });
  // Live feeds (server-sent events) never end: their status is the answer.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, text: '' };
  }
  const text = await response.text();
  return { status: response.status, text };
}

function expectNoServerError(answer: { status: number; text: string }, what: string) {
  expect(answer.status, `${what} → ${answer.status}: ${answer.text.slice(0, 300)}`).toBeLessThan(
    500,
  );
  if (answer.status >= 400 && answer.text.startsWith('{')) {
    const parsed = JSON.parse(answer.text) as { error?: { message?: unknown } };
    expect(typeof parsed.error?.message, what).toBe('string');
  }
}

const chatField = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
);
const messageLike = fc.record(
  {
    role: fc.oneof(
      fc.constantFrom('user', 'system', 'assistant', 'tool', 'developer'),
      fc.string(),
    ),
    content: chatField,
  },
  { requiredKeys: [] },
);
const chatBody = fc.record(
  {
    model: fc.oneof(
      fc.constantFrom(
        'up/gpt-4o',
        'route:story',
        'auto',
        'task:general_chat',
        '../../etc/passwd',
        'up/../../x',
        '%00',
      ),
      fc.string(),
      chatField,
    ),
    messages: fc.oneof(fc.array(messageLike, { maxLength: 4 }), chatField),
    stream: chatField,
    temperature: chatField,
    max_tokens: fc.oneof(fc.integer(), fc.constant(1e308), fc.constant(-1), chatField),
    tools: chatField,
    metadata: fc.oneof(
      chatField,
      fc.record(
        { task: chatField, session_id: chatField, preferences: chatField },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('fuzzing the HTTP API', () => {
  it('answers generated chat requests with a 2xx or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(chatBody, async (body) => {
        expectNoServerError(
          await send('POST', '/v1/chat/completions', JSON.stringify(body)),
          JSON.stringify(body),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('survives bodies that are not JSON, not UTF-8, deeply nested or huge numbers', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const nestedObject = `{"model":"up/gpt-4o","messages":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    for (const body of [
      deep,
      nestedObject,
      '{"model": 1e999999, "messages": []}',
      '\u0000',
      '"just a string"',
      'null',
      '[]',
    ]) {
      expectNoServerError(await send('POST', '/v1/chat/completions', body), body.slice(0, 40));
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        expectNoServerError(
          await send('POST', '/v1/chat/completions', bytes),
          `bytes(${bytes.length})`,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('answers generated paths, queries and bodies on every documented route without a 5xx', async () => {
    const openapi = JSON.parse((await send('GET', '/openapi.json')).text) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ['get', 'post', 'put', 'delete'].includes(method))
        // Long-running work started on purpose is not the point here.
        .filter((method) => !(method === 'post' && /\/bench\/runs$|\/sync$|\/pull/.test(path)))
        .map((method) => ({ path, method: method.toUpperCase() })),
    );
    expect(operations.length).toBeGreaterThan(10);
    const segment = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('..', '%2e%2e', '%00', 'key_missing', 'a'.repeat(300)),
    );
    const query = fc.dictionary(
      fc.constantFrom('limit', 'task', 'model', 'since', 'free', 'q', 'sort', 'max_cost_per_token'),
      fc.string({ maxLength: 20 }),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        segment,
        query,
        fc.option(chatField),
        async (operation, value, parameters, body) => {
          const path = operation.path
            .replace(/\{[^}]+\}/g, encodeURIComponent(value))
            .replace('*', encodeURIComponent(value));
          const search = new URLSearchParams(parameters).toString();
          const payload =
            operation.method === 'GET' || operation.method === 'DELETE'
              ? undefined
              : JSON.stringify(body ?? {});
          expectNoServerError(
            await send(operation.method, `${path}${search ? `?${search}` : ''}`, payload),
            `${operation.method} ${path}?${search}`,
          );
        },
      ),
      { numRuns: 250 },
    );
  });
});
