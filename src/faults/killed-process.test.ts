import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caveSuiteYaml } from '../../testkit/cave-suite.js';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { cliMainFile } from '../../testkit/run-cli.js';
import { createKeyVault } from '../secrets/key-vault.js';
import { fingerprintSetting, pendingMasterKeyFileName } from '../secrets/master-key.js';
import { openStorage } from '../storage/index.js';

/**
 * Processes killed with SIGKILL (a crash, the OOM killer, a pulled plug of a container)
 * in the middle of work that must be all or nothing, then started again on the same
 * home: nothing lost and nothing half-written. The in-process crash points of a rotation
 * (src/secrets/key-vault.test.ts) and a killed `bench run` CLI
 * (src/cli/commands/bench.test.ts) are tested there; here it is real processes: a
 * `keys rotate-master` killed mid-way, and a `serve` killed during a benchmark run.
 */
const adminToken = 'faults-admin-token-0123456789';
const homes: string[] = [];
let upstream: FakeUpstream;

beforeAll(async () => {
  // Every answer takes a few hundred milliseconds, so a benchmark run can be killed mid-way.
  upstream = await startFakeUpstream({
    flavor: 'openai',
    reply: { text: 'The lantern light trembles on the cave wall.', chunks: 3, chunkDelayMs: 80 },
  });
});
afterAll(async () => {
  await upstream?.close();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

/** A home with a config naming the fake upstream. */
function newHome(extraConfig = ''): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-faults-killed-'));
  homes.push(home);
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    `catalog: { syncIntervalMinutes: 0 }
providers:
  - id: up
    type: openai-compatible
    baseUrl: ${upstream.baseUrl}
${extraConfig}`,
  );
  return home;
}

/** `tta-models <args>` in the background, as its own process. */
function spawnCli(home: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', cliMainFile, ...args], {
    env: { ...process.env, TTA_MODELS_HOME: home, TTA_MODELS_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

/** Waits until `ready()` holds, failing if the child exits first. */
async function waitWhileRunning(
  child: ChildProcess,
  output: () => string,
  ready: () => boolean,
): Promise<void> {
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`the child exited early:\n${output()}`);
    await sleep(5);
  }
}

async function killNow(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function readSetting(databaseFile: string, key: string): string | undefined {
  const inspector = new BetterSqlite3(databaseFile, { readonly: true });
  try {
    const row = inspector.prepare('select value from settings where key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  } finally {
    inspector.close();
  }
}

describe('keys rotate-master killed with SIGKILL', () => {
  const keyCount = 1_000;
  const killedStates: string[] = [];

  /** A home whose vault holds `keyCount` keys; returns the secrets by key id. */
  async function homeWithKeys(): Promise<{ home: string; secrets: Map<string, string> }> {
    const home = newHome();
    const storage = await openStorage({ path: path.join(home, 'tta-models.sqlite') });
    const secrets = new Map<string, string>();
    try {
      const vault = await createKeyVault({ storage, home, env: {} });
      for (let index = 0; index < keyCount; index += 1) {
        const secret = `sk-faults-${index}-${'abcdef0123456789'.repeat(2)}`;
        const added = await vault.add({ owner: `player-${index % 5}`, providerId: 'up', secret });
        secrets.set(added.id, secret);
      }
    } finally {
      await storage.close();
    }
    return { home, secrets };
  }

  /** Starts the vault as the next start of the gateway does; every key must open to its secret. */
  async function restartAndOpenEveryKey(home: string) {
    const storage = await openStorage({ path: path.join(home, 'tta-models.sqlite') });
    try {
      const vault = await createKeyVault({ storage, home, env: {} });
      const opened = new Map<string, string>();
      for (const key of await vault.list()) opened.set(key.id, await vault.open(key.id));
      return { opened, notices: vault.notices, fingerprint: vault.fingerprint };
    } finally {
      await storage.close();
    }
  }

  it('killed as soon as the next key is on disk: every key opens after restart', {
    timeout: 30_000,
  }, async () => {
    const { home, secrets } = await homeWithKeys();
    const databaseFile = path.join(home, 'tta-models.sqlite');
    const before = readSetting(databaseFile, fingerprintSetting);
    // Watch the home, and kill the moment master.key.next appears: the rotation is then
    // resealing its keys in one transaction (the more keys, the longer that takes).
    let watcher: fs.FSWatcher | undefined;
    const appeared = new Promise<void>((resolve) => {
      watcher = fs.watch(home, (_event, name) => {
        if (name === pendingMasterKeyFileName) resolve();
      });
    });
    const rotation = spawnCli(home, ['keys', 'rotate-master', '--json']);
    const exited = new Promise((resolve) => rotation.child.once('exit', resolve));
    try {
      await Promise.race([appeared, exited]);
      rotation.child.kill('SIGKILL');
      await exited;
    } finally {
      watcher?.close();
    }
    const committed = readSetting(databaseFile, fingerprintSetting);
    const pendingLeft = fs.existsSync(path.join(home, pendingMasterKeyFileName));

    const restarted = await restartAndOpenEveryKey(home);
    expect(restarted.opened).toEqual(secrets);
    expect(restarted.fingerprint).toBe(committed);
    expect(fs.existsSync(path.join(home, pendingMasterKeyFileName))).toBe(false);
    if (pendingLeft && committed === before)
      expect(restarted.notices).toEqual([expect.stringMatching(/^discarded an interrupted/)]);
    killedStates.push(
      committed === before
        ? 'before its transaction committed (old key kept, next key discarded)'
        : `after its commit, ${pendingLeft ? 'before' : 'after'} the key file was renamed (new key kept)`,
    );
  });

  it('killed the moment its transaction commits: the new key opens everything', {
    timeout: 30_000,
  }, async () => {
    const { home, secrets } = await homeWithKeys();
    const databaseFile = path.join(home, 'tta-models.sqlite');
    const before = readSetting(databaseFile, fingerprintSetting);
    const rotation = spawnCli(home, ['keys', 'rotate-master', '--json']);
    await waitWhileRunning(
      rotation.child,
      rotation.output,
      () => readSetting(databaseFile, fingerprintSetting) !== before,
    );
    await killNow(rotation.child);
    // Where the kill landed: before or after master.key.next was renamed over master.key.
    const pendingLeft = fs.existsSync(path.join(home, pendingMasterKeyFileName));
    const committed = readSetting(databaseFile, fingerprintSetting);

    const restarted = await restartAndOpenEveryKey(home);
    expect(restarted.opened).toEqual(secrets);
    expect(restarted.fingerprint).toBe(committed);
    expect(restarted.fingerprint).not.toBe(before);
    expect(fs.existsSync(path.join(home, pendingMasterKeyFileName))).toBe(false);
    if (pendingLeft)
      expect(restarted.notices).toEqual([expect.stringMatching(/^finished an interrupted/)]);
    killedStates.push(
      `at its commit, ${pendingLeft ? 'before' : 'after'} the key file was renamed (new key kept)`,
    );
    console.log(
      `[faults] rotate-master SIGKILLed ${killedStates.length} times, landing ${killedStates.join('; ')}; ` +
        `${keyCount}/${keyCount} keys open after each restart, no key file left behind`,
    );
  });
});

describe('serve killed with SIGKILL during a benchmark run', () => {
  const scenarioCount = 6;

  /** A home whose scenario suite is six short cave scenes. */
  function homeWithSuite(): string {
    const suites = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-faults-suites-'));
    homes.push(suites);
    fs.writeFileSync(path.join(suites, 'cave.yaml'), caveSuiteYaml(scenarioCount));
    return newHome(`server: { port: 0 }\nbenchmarks: { scenariosDir: ${suites} }\n`);
  }

  /** Starts `serve` on the home; resolves with its URL once it listens. */
  async function startServe(home: string) {
    const serve = spawnCli(home, ['serve']);
    let url: string | undefined;
    await waitWhileRunning(serve.child, serve.output, () => {
      url = /listening on (http:\/\/\S+)/.exec(serve.output())?.[1];
      return url !== undefined;
    });
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    return { ...serve, call };
  }

  /** Results stored per scenario of a run, read from the file as any SQL client would. */
  function recorded(home: string, runId: string): Map<string, number> {
    const inspector = new BetterSqlite3(path.join(home, 'tta-models.sqlite'), { readonly: true });
    try {
      const rows = inspector
        .prepare(
          'select scenario_id, count(*) as n from bench_results where run_id = ? group by scenario_id',
        )
        .all(runId) as Array<{ scenario_id: string; n: number }>;
      return new Map(rows.map((row) => [row.scenario_id, row.n]));
    } finally {
      inspector.close();
    }
  }

  it('resumes after a restart, with every scenario recorded exactly once', {
    timeout: 60_000,
  }, async () => {
    const home = homeWithSuite();
    const first = await startServe(home);
    const started = await first.call('POST', '/api/bench/runs', {
      models: ['up/gpt-4o-mini'],
      concurrency: 1,
    });
    expect(started).toMatchObject({ status: 202, body: { total: scenarioCount, done: 0 } });
    const runId = started.body.runId as string;
    await waitWhileRunning(first.child, first.output, () => recorded(home, runId).size >= 2);
    await killNow(first.child);
    const beforeRestart = recorded(home, runId);
    expect(beforeRestart.size).toBeLessThan(scenarioCount);

    const second = await startServe(home);
    try {
      const view = await second.call('GET', `/api/bench/runs/${runId}`);
      expect(view.body).toMatchObject({
        run: { status: 'running' },
        active: false,
        resumable: true,
      });
      const resumed = await second.call('POST', '/api/bench/runs', { resume: runId });
      expect(resumed).toMatchObject({
        status: 202,
        body: { runId, total: scenarioCount, done: beforeRestart.size },
      });
      for (;;) {
        const view = await second.call('GET', `/api/bench/runs/${runId}`);
        if ((view.body.run as { status: string }).status === 'completed') break;
        if (second.child.exitCode !== null) throw new Error(`serve exited:\n${second.output()}`);
        await sleep(50);
      }
      const after = recorded(home, runId);
      expect([...after.keys()].sort()).toEqual(
        Array.from({ length: scenarioCount }, (_unused, index) => `cave-${index + 1}`),
      );
      expect([...after.values()].every((count) => count === 1)).toBe(true);
      console.log(
        `[faults] serve SIGKILLed during a benchmark run after ${beforeRestart.size}/${scenarioCount} scenarios; ` +
          `after restart the run resumed and recorded ${scenarioCount - beforeRestart.size} more, ` +
          `each of the ${after.size} scenarios exactly once`,
      );
    } finally {
      const exited = new Promise((resolve) => second.child.once('exit', resolve));
      second.child.kill('SIGTERM');
      await exited;
    }
  });
});
