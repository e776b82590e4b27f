import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caveSuiteYaml } from '../../../testkit/cave-suite.js';
import { type FakeUpstream, startFakeUpstream } from '../../../testkit/fake-upstream.js';
import { type CliResult, cliMainFile, runCli } from '../../../testkit/run-cli.js';

/**
 * `tta-models bench` as a user runs it: a run killed mid-way (SIGKILL, as a crash) or
 * stopped with Ctrl-C (SIGINT) resumes with `--resume`, and every scenario ends up
 * recorded exactly once.
 */
let home: string;
let fake: FakeUpstream;
let configFile: string;
let suiteFile: string;
const scenarioCount = 6;

function cli(...args: string[]): Promise<CliResult> {
  return runCli(home, args);
}

/** Starts `bench run` in the background and resolves with the child and its run id (from stderr). */
async function startRun(): Promise<{
  child: ChildProcess;
  runId: string;
  stderr: () => string;
  exited: Promise<number | null>;
}> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cliMainFile,
      'bench',
      'run',
      '--models',
      'up/gpt-4o-mini',
      '--suite',
      suiteFile,
      '--concurrency',
      '1',
      '--config',
      configFile,
    ],
    {
      env: { ...process.env, TTA_MODELS_HOME: home, TTA_MODELS_ADMIN_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (;;) {
    const found = /run (run_\w+):/.exec(stderr);
    if (found?.[1]) return { child, runId: found[1], stderr: () => stderr, exited };
    if (child.exitCode !== null) throw new Error(`bench run exited early: ${stderr}`);
    await sleep(25);
  }
}

/** Results stored per scenario of a run, read from the SQLite file as any SQL client would. */
function recorded(runId: string): Map<string, number> {
  const database = new BetterSqlite3(path.join(home, 'tta-models.sqlite'), { readonly: true });
  try {
    const rows = database
      .prepare(
        'select scenario_id, count(*) as n from bench_results where run_id = ? group by scenario_id',
      )
      .all(runId) as Array<{ scenario_id: string; n: number }>;
    return new Map(rows.map((row) => [row.scenario_id, row.n]));
  } finally {
    database.close();
  }
}

function runStatus(runId: string): string {
  const database = new BetterSqlite3(path.join(home, 'tta-models.sqlite'), { readonly: true });
  try {
    return (
      database.prepare('select status from bench_runs where id = ?').get(runId) as {
        status: string;
      }
    ).status;
  } finally {
    database.close();
  }
}

async function waitForResults(runId: string, count: number): Promise<void> {
  while ([...recorded(runId).values()].length < count) await sleep(25);
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-bench-cli-'));
  // Every answer takes a few hundred milliseconds, so a run can be stopped mid-way.
  fake = await startFakeUpstream({
    flavor: 'openai',
    reply: { text: 'The lantern light trembles on the cave wall.', chunks: 3, chunkDelayMs: 80 },
  });
  configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(
    configFile,
    `providers:\n  - id: up\n    type: openai-compatible\n    baseUrl: ${fake.baseUrl}\n`,
  );
  suiteFile = path.join(home, 'suite.yaml');
  fs.writeFileSync(suiteFile, caveSuiteYaml(scenarioCount));
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tta-models bench run', () => {
  it('resumes a killed run: every scenario recorded exactly once', {
    timeout: 60_000,
  }, async () => {
    const started = await startRun();
    await waitForResults(started.runId, 2);
    started.child.kill('SIGKILL');
    await started.exited;
    const beforeResume = recorded(started.runId);
    expect(beforeResume.size).toBeGreaterThanOrEqual(2);
    expect(beforeResume.size).toBeLessThan(scenarioCount);
    expect(runStatus(started.runId)).toBe('running');

    const resumed = await cli(
      'bench',
      'run',
      '--resume',
      started.runId,
      '--json',
      '--config',
      configFile,
    );
    expect(resumed.stderr).toContain(`${beforeResume.size} already recorded`);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({
      runId: started.runId,
      status: 'completed',
      total: scenarioCount,
      alreadyRecorded: beforeResume.size,
      recorded: scenarioCount - beforeResume.size,
    });
    expect(report.summary).toMatchObject([
      {
        model: 'up/gpt-4o-mini',
        task: 'narrative_generation',
        scenarios: scenarioCount,
        passRate: 1,
      },
    ]);
    const after = recorded(started.runId);
    expect([...after.keys()].sort()).toEqual(
      Array.from({ length: scenarioCount }, (_unused, index) => `cave-${index + 1}`),
    );
    expect([...after.values()].every((count) => count === 1)).toBe(true);
    expect(runStatus(started.runId)).toBe('completed');

    const again = await cli('bench', 'run', '--resume', started.runId, '--config', configFile);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is complete');
  });

  it('stops cleanly on Ctrl-C, saying how to resume, and resumes', {
    timeout: 60_000,
  }, async () => {
    const started = await startRun();
    await waitForResults(started.runId, 1);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(130);
    expect(started.stderr()).toContain(
      `resume with \`tta-models bench run --resume ${started.runId}\``,
    );
    expect(runStatus(started.runId)).toBe('interrupted');

    const shown = await cli('bench', 'show', started.runId, '--config', configFile);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${started.runId}  interrupted`);
    expect(shown.stderr).toContain('not finished');

    const resumed = await cli('bench', 'run', '--resume', started.runId, '--config', configFile);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/MODEL\s+TASK\s+N\s+ERR\s+PASS/);
    const after = recorded(started.runId);
    expect(after.size).toBe(scenarioCount);
    expect([...after.values()].every((count) => count === 1)).toBe(true);

    const listed = JSON.parse(
      (await cli('bench', 'list', '--json', '--config', configFile)).stdout,
    );
    expect(listed.runs.map((entry: { status: string }) => entry.status)).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('lists alerts (none while no rule is configured)', { timeout: 30_000 }, async () => {
    const alerts = await cli('alerts', '--evaluate', '--config', configFile);
    expect(alerts).toMatchObject({ code: 0, stdout: '(no open alerts)\n' });
  });
});
