import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';

const mainFile = path.resolve(import.meta.dirname, 'main.ts');
const goodKey = 'sk-or-v1-clitest0123456789abcdef';
let home: string;
let fake: FakeUpstream;

/** Runs the CLI from source with `stdin` piped in, as a script would. */
function cli(
  args: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', mainFile, ...args], {
      env: { ...process.env, TTA_MODELS_HOME: home, TTA_MODELS_ADMIN_TOKEN: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-keys-cli-'));
  fake = await startFakeUpstream({ flavor: 'openrouter', expectApiKey: goodKey });
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    `providers:\n  - id: openrouter\n    type: openrouter\n    baseUrl: ${fake.baseUrl}\n  - id: ollama\n    type: ollama\n`,
  );
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models keys', () => {
  let keyId: string;

  it('adds a key read from stdin after checking it, and never prints it', async () => {
    const added = await cli(
      ['keys', 'add', 'openrouter', '--label', 'main', '--json'],
      `${goodKey}\n`,
    );
    expect(added.code).toBe(0);
    const { key, validation } = JSON.parse(added.stdout);
    expect(key).toMatchObject({
      providerId: 'openrouter',
      owner: 'operator',
      label: 'main',
      last4: 'cdef',
      status: 'valid',
    });
    expect(validation.status).toBe('valid');
    expect(added.stdout + added.stderr).not.toContain(goodKey);
    keyId = key.id;
  });

  it('refuses a wrong key with a specific message, a local provider, and an empty stdin', async () => {
    const wrong = await cli(['keys', 'add', 'openrouter'], 'sk-or-v1-thisiswrong0000000000\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not saved');
    expect(wrong.stderr).toContain('openrouter.ai/settings/keys');
    expect(wrong.stderr).not.toContain('thisiswrong');

    const local = await cli(['keys', 'add', 'ollama'], 'whatever-key-1234\n');
    expect(local.stderr).toContain('takes no API key');
    const empty = await cli(['keys', 'add', 'openrouter'], '');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no key on stdin');
  });

  it('lists, re-validates and, after a master-key rotation, still uses the key', async () => {
    const listed = JSON.parse((await cli(['keys', 'list', '--json'])).stdout);
    expect(listed.keys.map((key: { id: string }) => key.id)).toEqual([keyId]);
    const table = await cli(['keys', 'list']);
    expect(table.stdout).toMatch(
      new RegExp(`${keyId}\\s+openrouter\\s+operator\\s+main\\s+…cdef\\s+valid`),
    );

    const keyFile = path.join(home, 'master.key');
    const before = fs.readFileSync(keyFile);
    const rotated = await cli(['keys', 'rotate-master', '--json']);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout).resealed).toBe(1);
    expect(fs.readFileSync(keyFile).equals(before)).toBe(false);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const validated = await cli(['keys', 'validate', keyId, '--json']);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout).results[0].key.status).toBe('valid');
  });

  it('removes a key', async () => {
    expect((await cli(['keys', 'remove', keyId])).stdout).toContain(`Removed ${keyId}`);
    expect(JSON.parse((await cli(['keys', 'list', '--json'])).stdout).keys).toEqual([]);
    const again = await cli(['keys', 'remove', keyId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not found|no key/i);
  });

  it('audited the add, the master-key rotation and the removal, never the key', async () => {
    const audit = await cli(['audit', '--action', 'keys.*', '--json']);
    expect(audit.stdout).not.toContain(goodKey);
    const entries = JSON.parse(audit.stdout).entries as Array<Record<string, unknown>>;
    expect(entries.map((entry) => [entry.action, entry.channel])).toEqual([
      ['keys.remove', 'cli'],
      ['keys.rotate-master', 'cli'],
      ['keys.add', 'cli'],
    ]);
    expect(entries[2]).toMatchObject({
      subject: `key:${keyId}`,
      detail: expect.objectContaining({ providerId: 'openrouter', owner: 'operator' }),
    });
  });
});

describe('tta-models users', () => {
  it('adds, lists and revokes users; the token is printed once', async () => {
    const added = await cli(['users', 'add', 'narrator-service', '--json']);
    const { user, token } = JSON.parse(added.stdout);
    expect(token).toMatch(/^tta_user_/);
    const listed = JSON.parse((await cli(['users', 'list', '--json'])).stdout);
    expect(listed.users).toEqual([
      expect.objectContaining({ id: user.id, name: 'narrator-service', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await cli(['users', 'revoke', 'narrator-service'])).code).toBe(0);
    expect((await cli(['users', 'revoke', 'narrator-service'])).stderr).toContain('no active user');
  });
});
