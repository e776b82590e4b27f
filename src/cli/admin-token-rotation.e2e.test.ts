import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testkit/run-cli.js';
import { type ServeProcess, startServeProcess } from '../../testkit/serve-process.js';

let server: ServeProcess;

beforeAll(async () => {
  server = await startServeProcess({ config: { providers: [] }, adminTokenFromEnvironment: false });
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

/** The status `/api/users` answers a bearer of `token` with. */
async function statusFor(token: string): Promise<number> {
  const response = await fetch(`${server.url}/api/users`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until `check` holds, for at most `ms`; the time it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}

async function rotate(): Promise<string> {
  const result = await runCli(server.home, ['admin-token', '--rotate', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).adminToken as string;
}

describe('admin-token --rotate against a running server', () => {
  it('is taken up without a restart: the new token works and the old one is refused', async () => {
    const first = await rotate();
    await within(8_000, async () => (await statusFor(first)) === 200);

    const second = await rotate();
    await within(8_000, async () => (await statusFor(second)) === 200);
    expect(await statusFor(first)).toBe(401);
  }, 60_000);
});
