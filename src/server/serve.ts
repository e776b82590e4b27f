import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway.js';
import { createApp } from './create-app.js';

/** The server could not start for a reason the operator must fix. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A listening server and the way to stop it gracefully. */
export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Stops accepting, lets in-flight requests and streams finish, then closes the gateway. */
  close(): Promise<void>;
}

/** Starts the HTTP server, refusing to expose an unauthenticated data plane to the network. */
export async function serve(
  gateway: Gateway,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  if (!isLoopback(listen.host) && !gateway.access.dataPlaneLocked) {
    throw new StartupError(
      `Refusing to listen on ${listen.host}: no client API keys are configured, so anyone who can reach this address could use your models and keys. ` +
        'Add auth.apiKeys to config.yaml, or listen on 127.0.0.1.',
    );
  }
  const app = await createApp(gateway);
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        // Keep-alive sockets that go idle once their stream ends would hold close() open
        // until the client's keep-alive timeout; close each one as soon as it is idle.
        const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweeper);
        }
        await gateway.close();
      })();
      return closing;
    },
  };
}
