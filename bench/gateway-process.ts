/**
 * The gateway under test, as users run it: `node bin/tta-models.js serve` from `dist/`,
 * in a child process with a temporary home and a config whose one provider is the fake.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binFile, spawnServe, waitForHealthz } from '../testkit/serve-process.js';
import { benchProviderId } from './bench-scenario.js';
import { type ChildHandle, spawnChild, stopChild } from './child-process.js';
import { repositoryRoot } from './floor-build.js';

/** Newest modification time of the compiled sources under `directory`, in ms. */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__') newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** Modification time of a file in ms, 0 when it is missing. */
function modified(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `tsc -p tsconfig.build.json` unless `dist/` is newer than every source file.
 * Returns a warning when the compiler reported errors (it still writes `dist/`).
 */
export async function ensureGatewayBuilt(log: (line: string) => void): Promise<string | undefined> {
  const entry = path.join(repositoryRoot, 'dist', 'cli', 'main.js');
  if (modified(entry) >= newestSource(path.join(repositoryRoot, 'src'))) return undefined;
  log('building dist/ (tsc -p tsconfig.build.json) ...');
  const compiler = spawnChild({
    name: 'tsc',
    command: process.execPath,
    args: [
      path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
    ],
    cwd: repositoryRoot,
  });
  const how = await compiler.exited;
  if (how === 'exit code 0') return undefined;
  return `tsc -p tsconfig.build.json ended with ${how}:\n${compiler.output().trim()}`;
}

/** A gateway child serving on 127.0.0.1. */
export interface GatewayProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The child. */
  handle: ChildHandle;
  /** Stops it gracefully (SIGTERM), killing it if it takes too long. */
  stop(): Promise<void>;
}

/** How the benchmark configures a gateway child. */
export interface GatewaySettings {
  /** Client keys (`auth.apiKeys`); requests must send one as a bearer token. */
  clientKeys: readonly string[];
  /** Upstream model ids the provider serves (`models:`), which is the gateway's whole catalog. */
  models: readonly string[];
  /** `log.level`; the default, `info`, writes one line per request. */
  logLevel?: string;
  /** False turns off the once-a-minute metrics rollup and alert evaluation (on by default). */
  monitoring?: boolean;
  /** Extra Node.js options for the child, e.g. `--cpu-prof` (from `BENCH_GATEWAY_NODE_ARGS`). */
  nodeArgs?: readonly string[];
}

/** Writes the benchmark's config: one openai-compatible provider (the fake), client keys. */
function writeConfig(home: string, upstreamBaseUrl: string, settings: GatewaySettings): string {
  const file = path.join(home, 'config.yaml');
  const yaml = [
    'server:',
    '  host: 127.0.0.1',
    'auth:',
    `  apiKeys: ${JSON.stringify(settings.clientKeys)}`,
    'log:',
    `  level: ${settings.logLevel ?? 'info'}`,
    'providers:',
    `  - id: ${benchProviderId}`,
    '    type: openai-compatible',
    `    baseUrl: ${upstreamBaseUrl}`,
    `    models: ${JSON.stringify(settings.models)}`,
    ...(settings.monitoring === false ? ['alerts:', '  evaluateEverySeconds: 0'] : []),
    '',
  ].join('\n');
  writeFileSync(file, yaml);
  return file;
}

/** The admin token of the benchmark's gateways (for `/metrics` and `/api`). */
export const adminToken = 'bench-admin-token-0123456789abcdef';

/** Starts the built gateway with `home` as `TTA_MODELS_HOME`; resolves once /healthz answers. */
export async function startGateway(
  home: string,
  upstreamBaseUrl: string,
  settings: GatewaySettings,
): Promise<GatewayProcess> {
  const configFile = writeConfig(home, upstreamBaseUrl, settings);
  const { handle, url } = await spawnServe({
    entry: [binFile],
    home,
    configFile,
    adminToken,
    ...(settings.nodeArgs ? { nodeArgs: settings.nodeArgs } : {}),
    cwd: repositoryRoot,
  });
  const gateway = { url, handle, stop: () => stopChild(handle) };
  try {
    await waitForHealthz(handle, url, 30_000);
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return gateway;
}
