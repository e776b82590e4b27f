import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../../testkit/run-cli.js';

let home: string;

/** Runs the CLI as an administrator would, from source, in its own home folder. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args);
}

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-users-cli-'));
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    'providers: []\nlimits:\n  users: { requestsPerMinute: 20, tokensPerDay: 1000 }\n',
  );
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models users and audit', { timeout: 120_000 }, () => {
  it('adds a user with expiry and limits, changes its limits and token, and audits each as the CLI', async () => {
    const added = await cli(
      'users',
      'add',
      'ada',
      '--expires-in',
      '30d',
      '--requests-per-day',
      '5',
      '--tokens-per-day',
      'none',
      '--reason',
      'pilot',
      '--json',
    );
    expect(added.code).toBe(0);
    const issued = JSON.parse(added.stdout) as { token: string; user: Record<string, any> };
    expect(issued.user).toMatchObject({
      name: 'ada',
      status: 'active',
      limits: { requestsPerDay: 5, tokensPerDay: null },
    });
    expect(issued.user.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const limited = await cli(
      'users',
      'limits',
      'ada',
      '--requests-per-day',
      'default',
      '--cost-per-day-usd',
      '0.5',
    );
    expect(limited.code).toBe(0);
    // Own: tokens lifted, $0.5; the per-minute default stays; requests per day back to none.
    expect(limited.stdout).toBe('ada: rpm=20 $=0.5 (own: tokens=none $=0.5).\n');

    const rotated = await cli('users', 'rotate', 'ada', '--no-expiry');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).toMatch(/^tta_user_/);
    expect(rotated.stdout.trim()).not.toBe(issued.token);
    expect(rotated.stderr).toMatch(/never expires/);

    const badLifetime = await cli('users', 'rotate', 'ada', '--expires-in', 'a while');
    expect(badLifetime.code).toBe(1);
    expect(badLifetime.stderr).toMatch(/not a lifetime.*e\.g\. 30d/);

    const listed = await cli('users', 'list');
    expect(listed.stdout).toMatch(/ada\s+user\s+active\s+\S+ \S+\s+never\s+tokens=none \$=0\.5/);

    const audit = await cli('audit', '--action', 'users.*', '--since', '1h', '--json');
    const entries = (JSON.parse(audit.stdout) as { entries: Array<Record<string, any>> }).entries;
    expect(entries.map((entry) => entry.action)).toEqual([
      'users.rotate',
      'users.limits',
      'users.add',
    ]);
    expect(entries.every((entry) => entry.channel === 'cli' && /^admin/.test(entry.actor))).toBe(
      true,
    );
    expect(entries[2]).toMatchObject({ reason: 'pilot', subject: 'user:ada' });
    expect(audit.stdout).not.toContain(issued.token);

    const table = await cli('audit', '--channel', 'api');
    expect(table.stdout).toBe('(none)\n');

    const adminToken = await cli('admin-token', '--rotate', '--reason', 'lost it');
    expect(adminToken.code).toBe(0);
    const rotation = await cli('audit', '--action', 'admin-token.rotate', '--json');
    expect(rotation.stdout).not.toContain(adminToken.stdout.trim());
    expect(JSON.parse(rotation.stdout).entries).toEqual([
      expect.objectContaining({ subject: 'admin-token', reason: 'lost it', channel: 'cli' }),
    ]);
  });
});
