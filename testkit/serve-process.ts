/**
 * `tta-models serve` as a user runs it, in a child process of its own: from source (tsx),
 * with a temporary home and a config file written from an object, on a free loopback port.
 * Used where the gateway must not share an event loop with the test (the load suite).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChildHandle,
  childFailure,
  freePort,
  killAllChildren,
  spawnChild,
  stopChild,
} from './child-process.js';
import { cliMainFile } from './run-cli.js';

/** A gateway child serving on 127.0.0.1. */
export interface ServeProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The temporary home folder (config, SQLite database, vault key). */
  home: string;
  /** The admin token for `/api` (from the environment), or undefined when the server keeps its own. */
  adminToken: string | undefined;
  /** The child. */
  handle: ChildHandle;
  /** Stops it (SIGTERM, then SIGKILL after a grace period) and deletes the home folder. */
  stop(): Promise<void>;
}

/** Options of {@link startServeProcess}. */
export interface ServeProcessOptions {
  /** The contents of `config.yaml` (written as JSON, which is YAML too). */
  config: Record<string, unknown>;
  /** Node.js options for the child, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /**
   * False: no `TTA_MODELS_ADMIN_TOKEN`, so the server generates and stores its own admin
   * token, as on a user's machine (default true: a fixed token from the environment).
   */
  adminTokenFromEnvironment?: boolean;
  /** How long it may take to answer `/healthz`, ms (default 60 s: tsx compiles on start). */
  startTimeoutMs?: number;
}

/** The `tta-models` executable users run. */
export const binFile = path.resolve(import.meta.dirname, '../bin/tta-models.js');

/** How the bin's shebang starts Node: its environment variables and its options. */
export interface BinLaunch {
  /** `NAME=value` pairs before `node`, e.g. `MALLOC_ARENA_MAX`. */
  env: Record<string, string>;
  /** Options after `node`, e.g. `--max-semi-space-size=4`. */
  nodeArgs: string[];
}

/**
 * What the bin's shebang (`#!/usr/bin/env -S [NAME=value ...] node [options]`) gives every
 * command, so children started with `process.execPath` run as users' gateways do.
 */
export function binLaunch(): BinLaunch {
  const shebang = fs.readFileSync(binFile, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S((?: [A-Z_][A-Z0-9_]*=\S*)*) node((?: \S+)*)$/.exec(shebang);
  if (!match) {
    throw new Error(`${binFile}: expected "#!/usr/bin/env -S [NAME=value ...] node [options]"`);
  }
  const env: Record<string, string> = {};
  for (const pair of (match[1] ?? '').split(' ').filter(Boolean)) {
    const equals = pair.indexOf('=');
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { env, nodeArgs: (match[2] ?? '').split(' ').filter(Boolean) };
}

/** How {@link spawnServe} starts `tta-models serve`. */
export interface ServeLaunch {
  /** What runs the CLI: the built bin (`[binFile]`) or the source (`['--import', 'tsx', cliMainFile]`). */
  entry: readonly string[];
  /** `TTA_MODELS_HOME`. */
  home: string;
  /** The config file. */
  configFile: string;
  /** `TTA_MODELS_ADMIN_TOKEN`, or undefined for the server's own stored token. */
  adminToken: string | undefined;
  /** Node.js options after the bin's own. */
  nodeArgs?: readonly string[];
  cwd?: string;
}

/**
 * Spawns `tta-models serve` on a free loopback port with the bin's environment and Node.js
 * options, as users' gateways run; does not wait for it to answer.
 */
export async function spawnServe(
  launch: ServeLaunch,
): Promise<{ handle: ChildHandle; url: string }> {
  const port = await freePort();
  const bin = binLaunch();
  const handle = spawnChild({
    name: 'gateway',
    command: process.execPath,
    args: [
      ...bin.nodeArgs,
      ...(launch.nodeArgs ?? []),
      ...launch.entry,
      ...['serve', '--config', launch.configFile, '--port', String(port), '--host', '127.0.0.1'],
    ],
    ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
    // An empty variable counts as unset.
    env: {
      ...bin.env,
      TTA_MODELS_HOME: launch.home,
      TTA_MODELS_ADMIN_TOKEN: launch.adminToken ?? '',
    },
  });
  return { handle, url: `http://127.0.0.1:${port}` };
}

let exitHookInstalled = false;

/** Starts `tta-models serve`; resolves once `/healthz` answers 200. */
export async function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  // A test process that ends early (a timeout, Ctrl-C) must not leave a gateway behind.
  if (!exitHookInstalled) {
    process.once('exit', killAllChildren);
    exitHookInstalled = true;
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-models-serve-'));
  const configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(configFile, JSON.stringify(options.config, null, 2));
  const adminToken =
    options.adminTokenFromEnvironment === false ? undefined : 'serve-admin-token-0123456789abcdef';
  const { handle, url } = await spawnServe({
    entry: ['--import', 'tsx', cliMainFile],
    home,
    configFile,
    adminToken,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
  const stop = async (): Promise<void> => {
    await stopChild(handle);
    fs.rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForHealthz(handle, url, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, home, adminToken, handle, stop };
}

/** Polls `<url>/healthz` until it answers 200; fails when the child exits or time runs out. */
export async function waitForHealthz(
  handle: ChildHandle,
  url: string,
  timeoutMs: number,
): Promise<void> {
  let exited: string | undefined;
  void handle.exited.then((how) => {
    exited = how;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw childFailure(handle, `exited while starting (${exited})`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw childFailure(handle, `did not answer /healthz within ${timeoutMs} ms`);
}
