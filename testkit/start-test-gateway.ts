import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { configSchema, type GatewayConfig } from '../src/config/config-schema.js';
import { resolveHome } from '../src/config/home.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import type { SystemProbe } from '../src/resources/system-probe.js';
import { type RunningServer, serve } from '../src/server/serve.js';

/** A gateway serving on a free loopback port, with its own temporary home. */
export interface TestGateway {
  /** The temporary home folder (config, database, vault key). */
  home: string;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The admin token for `/api`. */
  adminToken: string;
  gateway: Gateway;
  server: RunningServer;
  /** Closes the server and deletes the temporary home. */
  close(): Promise<void>;
}

/** Starts a real gateway (SQLite file, real HTTP server) for end-to-end tests. */
export async function startTestGateway(
  config: Partial<Record<keyof GatewayConfig, unknown>>,
  options: {
    logLines?: string[];
    probe?: SystemProbe;
    /** The home folder to use (created if missing) instead of a new temporary one. */
    home?: string;
  } = {},
): Promise<TestGateway> {
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tta-models-test-'));
  fs.mkdirSync(home, { recursive: true });
  const adminToken = 'test-admin-token-0123456789';
  const parsed = configSchema.parse({
    ...config,
    server: { port: 0, ...(config.server as object) },
  });
  const gateway = await createGateway({
    config: parsed,
    paths: resolveHome({ TTA_MODELS_HOME: home }),
    env: { TTA_MODELS_ADMIN_TOKEN: adminToken },
    // With logLines, the gateway's own (scrubbing) logger writes into it; else silence.
    ...(options.logLines
      ? { logDestination: { write: (line: string) => options.logLines?.push(line) } }
      : { logger: pino({ level: 'silent' }) }),
    ...(options.probe ? { probe: options.probe } : {}),
  });
  const server = await serve(gateway, { host: '127.0.0.1', port: 0 });
  return {
    home,
    url: server.url,
    adminToken,
    gateway,
    server,
    async close() {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
