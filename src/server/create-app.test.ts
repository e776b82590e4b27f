import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';

const logLines: string[] = [];
let test: TestGateway;

beforeAll(async () => {
  test = await startTestGateway({ log: { level: 'info' } }, { logLines });
});
afterAll(async () => {
  await test.close();
});

describe('the request log line', () => {
  it('writes one line per request with its id, method, path, status and time, secrets scrubbed', async () => {
    const key = `sk-or-v1-${'a1'.repeat(24)}`;
    const response = await fetch(`${test.url}/healthz?key=${key}`, {
      headers: { 'x-request-id': 'turn-42' },
    });
    await response.arrayBuffer();
    expect(response.headers.get('x-request-id')).toBe('turn-42');
    // Written once the answer is sent: wait for it.
    for (let wait = 0; wait < 50 && !logLines.some((line) => line.includes('turn-42')); wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const lines = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.reqId === 'turn-42');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'tta-models',
        reqId: 'turn-42',
        method: 'GET',
        status: response.status,
        ms: expect.any(Number),
        msg: 'request',
      }),
    ]);
    expect(lines[0]?.url).toMatch(/^\/healthz\?key=/);
    expect(logLines.join('\n')).not.toContain(key);
  });
});
