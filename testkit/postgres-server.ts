/**
 * A throwaway PostgreSQL server for tests, from Debian's `postgresql` package: a cluster
 * made by `initdb` in a temporary folder, started by `pg_ctl` on a free loopback port with
 * its unix socket in that folder, stopped and deleted afterwards (or when the test process
 * exits). Where PostgreSQL is missing, its tests are skipped with the reason printed,
 * except under `CI=true`, where they are required.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The programs a throwaway server needs. */
const programs = ['initdb', 'pg_ctl', 'postgres'] as const;

/** Where Debian puts each major version's programs. */
const debianRoot = '/usr/lib/postgresql';

/**
 * The folder holding `initdb`, `pg_ctl` and `postgres`: `TTA_POSTGRES_BIN` when set,
 * else the newest `/usr/lib/postgresql/<major>/bin`. Undefined when there is none.
 */
export function postgresBinFolder(): string | undefined {
  const complete = (folder: string) =>
    programs.every((program) => fs.existsSync(path.join(folder, program)));
  const override = process.env.TTA_POSTGRES_BIN;
  if (override) return complete(override) ? override : undefined;
  let majors: string[] = [];
  try {
    majors = fs.readdirSync(debianRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  return majors
    .sort((left, right) => Number(right) - Number(left))
    .map((major) => path.join(debianRoot, major, 'bin'))
    .find(complete);
}

/** The unprivileged account that runs the server when tests run as root (initdb refuses root). */
const serverAccount = 'postgres';

/** True when the tests run as root, so the server must run as {@link serverAccount}. */
function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The uid and gid of an account, from /etc/passwd; undefined when it does not exist. */
function account(name: string): { uid: number; gid: number } | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined
    ? undefined
    : { uid: Number(uid), gid: Number(gid) };
}

/** Why a throwaway PostgreSQL cannot start here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  const install =
    'install it with `apt-get install -y postgresql` (as root), or point TTA_POSTGRES_BIN at a folder holding initdb, pg_ctl and postgres';
  if (postgresBinFolder() === undefined) {
    const looked = process.env.TTA_POSTGRES_BIN ?? `${debianRoot}/<version>/bin`;
    return `PostgreSQL not found (no ${programs.join(', ')} in ${looked}): ${install}.`;
  }
  if (runningAsRoot() && account(serverAccount) === undefined) {
    return `the tests run as root, and PostgreSQL refuses to run as root, but there is no "${serverAccount}" account to run it: ${install} (the package creates the account), or \`useradd --system ${serverAccount}\`.`;
  }
  return undefined;
}

/**
 * Throws under CI when PostgreSQL is missing; elsewhere prints why the PostgreSQL tests
 * are skipped. Returns true when they can run.
 */
export function postgresAvailable(): boolean {
  const missing = postgresMissing();
  if (missing === undefined) return true;
  if (process.env.CI === 'true')
    throw new Error(`the PostgreSQL tests are required under CI=true: ${missing}`);
  console.warn(`Skipping the PostgreSQL tests: ${missing}`);
  return false;
}

/** A running throwaway server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, trusted on loopback. */
  readonly url: string;
  /** The loopback port it listens on. */
  readonly port: number;
  /** The temporary folder holding the cluster, its log and its unix socket. */
  readonly folder: string;
  /** Creates an empty database (a fresh name when none is given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server at once and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Takes the server down as an operator's restart does (fast shutdown: open connections
   * are terminated with 57P01), keeping its data; {@link PostgresServer.resume} starts it again.
   */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port, with the same data. */
  resume(): Promise<void>;
}

/** Runs one of the server's programs, as the server account when the tests run as root. */
function runProgram(binFolder: string, program: string, args: string[]): SpawnSyncReturns<string> {
  const executable = path.join(binFolder, program);
  const [command, commandArgs] = runningAsRoot()
    ? ['runuser', ['-u', serverAccount, '--', executable, ...args]]
    : [executable, args];
  return spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 60_000 });
}

/** The same, without blocking the event loop. */
function runProgramAsync(
  binFolder: string,
  program: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const executable = path.join(binFolder, program);
  const [command, commandArgs] = runningAsRoot()
    ? ['runuser', ['-u', serverAccount, '--', executable, ...args]]
    : [executable, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A loopback port free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Servers of this process still running, stopped if the process exits without stopping them. */
const running = new Set<() => void>();
process.once('exit', () => {
  for (const stop of running) stop();
});

let databaseSequence = 0;

/**
 * Starts a throwaway PostgreSQL: initdb (trust on loopback, UTF-8, C collation, no fsync)
 * in a new temporary folder, then pg_ctl on a free loopback port. Throws with the server
 * log when it does not come up; call {@link postgresMissing} first to skip cleanly.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const missing = postgresMissing();
  if (missing !== undefined) throw new Error(`cannot start PostgreSQL: ${missing}`);
  const binFolder = postgresBinFolder() as string;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-postgres-'));
  const dataFolder = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  const owner = runningAsRoot() ? account(serverAccount) : undefined;
  if (owner) fs.chownSync(folder, owner.uid, owner.gid);

  const removeFolder = () => fs.rmSync(folder, { recursive: true, force: true });
  const initdb = await runProgramAsync(binFolder, 'initdb', [
    ...['-D', dataFolder, '-U', 'postgres', '--auth=trust'],
    ...['--encoding=UTF8', '--locale=C', '--no-sync'],
  ]);
  if (initdb.code !== 0) {
    removeFolder();
    throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.output}`);
  }

  // A port free a moment ago may be taken by the time the server binds it: try again.
  let port = 0;
  let started = false;
  let lastOutput = '';
  let settings = '';
  for (let attempt = 0; attempt < 3 && !started; attempt += 1) {
    port = await freePort();
    settings = [
      ...['-c listen_addresses=127.0.0.1', `-p ${port}`, `-c unix_socket_directories=${folder}`],
      // Throwaway data: durability buys nothing and costs seconds.
      ...['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'],
    ].join(' ');
    const start = await runProgramAsync(binFolder, 'pg_ctl', [
      ...['-D', dataFolder, '-l', logFile, '-w', '-t', '30', '-o', settings, 'start'],
    ]);
    started = start.code === 0;
    lastOutput = start.output;
  }
  if (!started) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    removeFolder();
    throw new Error(`PostgreSQL did not start: ${lastOutput}\n${log}`);
  }

  const stopNow = () => {
    running.delete(stopNow);
    runProgram(binFolder, 'pg_ctl', ['-D', dataFolder, '-m', 'immediate', '-w', 'stop']);
    removeFolder();
  };
  running.add(stopNow);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | undefined;

  return {
    url,
    port,
    folder,
    async createDatabase(name) {
      databaseSequence += 1;
      const database = name ?? `test_${process.pid}_${databaseSequence}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(database))
        throw new Error(
          `use a database name of lower-case letters, digits and "_", not ${database}`,
        );
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${database}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${database}`;
    },
    async pause() {
      const halted = await runProgramAsync(binFolder, 'pg_ctl', [
        ...['-D', dataFolder, '-m', 'fast', '-w', 'stop'],
      ]);
      if (halted.code !== 0) throw new Error(`pg_ctl stop failed: ${halted.output}`);
    },
    async resume() {
      const resumed = await runProgramAsync(binFolder, 'pg_ctl', [
        ...['-D', dataFolder, '-l', logFile, '-w', '-t', '30', '-o', settings, 'start'],
      ]);
      if (resumed.code !== 0) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
        throw new Error(`PostgreSQL did not start again: ${resumed.output}\n${log}`);
      }
    },
    stop() {
      stopping ??= (async () => {
        if (!running.has(stopNow)) return;
        running.delete(stopNow);
        await runProgramAsync(binFolder, 'pg_ctl', [
          '-D',
          dataFolder,
          '-m',
          'immediate',
          '-w',
          'stop',
        ]);
        removeFolder();
      })();
      return stopping;
    },
  };
}
