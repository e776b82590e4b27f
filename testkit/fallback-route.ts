/**
 * The load suite's target: `tta-models serve` in a child process with one route of two
 * fake upstreams, `route:story` = primary then secondary. Once told to, the primary fails
 * one call in five before answering anything (a 500 on every 10th call, a refused
 * connection on every 9th of the others), so that every failure has a healthy fallback.
 */
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import type { MixedLoadOptions } from './mixed-load.js';
import { type ServeProcess, startServeProcess } from './serve-process.js';

/** The running route. */
export interface FallbackRoute {
  gateway: ServeProcess;
  primary: FakeUpstream;
  secondary: FakeUpstream;
  /** What the primary answers. */
  primaryText: string;
  /** What the secondary answers. */
  secondaryText: string;
  /** The load suite's mix against the route: half the requests streamed, every answer checked. */
  mixedLoad(rate: number, seconds: number): MixedLoadOptions;
  /** Zeroes both fakes' counters and makes the primary fail 20% of chat calls from now on. */
  failPrimary(): void;
  /** Stops the gateway, then the fakes. */
  stop(): Promise<void>;
}

/** Options of {@link startFallbackRoute}. */
export interface FallbackRouteOptions {
  /** The gateway's `alerts:` section (e.g. a shorter evaluation period for the soak). */
  alerts?: Record<string, unknown>;
  /** Node.js options for the gateway, e.g. `--heapsnapshot-signal=SIGUSR2` to look for a leak. */
  nodeArgs?: readonly string[];
}

const clientKey = 'load-client-key-0123456789abcdef';
const primaryText = 'The torch flares; the primary model narrates.';
const secondaryText = 'The torch flickers; the fallback model narrates.';

/** Starts the fakes and the gateway; resolves once the gateway answers `/healthz`. */
export async function startFallbackRoute(
  options: FallbackRouteOptions = {},
): Promise<FallbackRoute> {
  // No request log: hundreds of thousands of requests must not pile up in the test process.
  const primary = await startFakeUpstream({
    flavor: 'openai',
    maxLoggedRequests: 0,
    reply: { text: primaryText },
  });
  const secondary = await startFakeUpstream({
    flavor: 'openai',
    maxLoggedRequests: 0,
    reply: { text: secondaryText },
  });
  const provider = (id: string, upstream: FakeUpstream) => ({
    id,
    type: 'openai-compatible',
    baseUrl: upstream.baseUrl,
    models: ['gpt-4o-mini'],
  });
  let gateway: ServeProcess;
  try {
    gateway = await startServeProcess({
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
      config: {
        auth: { apiKeys: [clientKey] },
        // Warnings only: a line per request would cost the gateway and the test's pipe.
        log: { level: 'warn' },
        providers: [provider('primary', primary), provider('secondary', secondary)],
        routes: { story: { models: ['primary/gpt-4o-mini', 'secondary/gpt-4o-mini'] } },
        ...(options.alerts ? { alerts: options.alerts } : {}),
      },
    });
  } catch (error) {
    await Promise.all([primary.close(), secondary.close()]);
    throw error;
  }
  // A client key of `auth.apiKeys`, and a chat request for the route (non-streamed).
  const headers = { authorization: `Bearer ${clientKey}` };
  const body = {
    model: 'route:story',
    messages: [
      { role: 'system', content: 'You narrate a text adventure.' },
      { role: 'user', content: 'I light a torch. What do I see?' },
    ],
    max_tokens: 64,
  };
  return {
    gateway,
    primary,
    secondary,
    primaryText,
    secondaryText,
    mixedLoad: (rate, seconds) => ({
      origin: gateway.url,
      headers,
      body,
      rate,
      seconds,
      streamEvery: 2,
      expectedTexts: [primaryText, secondaryText],
    }),
    failPrimary() {
      primary.reset();
      secondary.reset();
      primary.inject({ kind: 'status', status: 500, route: 'chat', every: 10 });
      primary.inject({ kind: 'refuse', route: 'chat', every: 9 });
    },
    async stop() {
      await gateway.stop();
      await Promise.all([primary.close(), secondary.close()]);
    },
  };
}
