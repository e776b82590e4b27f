/**
 * How long a player waits when the model behind a route fails: time from sending a
 * streamed request to the first token, through the gateway, with the primary failing in
 * each way an upstream fails, against the same route with a healthy primary (the
 * baseline, measured in the same run). Prints one table; not part of `npm test`.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { configSchema } from '../src/config/config-schema.js';
import { resolveHome } from '../src/config/home.js';
import { createGateway } from '../src/gateway.js';
import { serve } from '../src/server/serve.js';
import { startFakeUpstream } from '../testkit/fake-upstream.js';
import { closedPortOrigin, type Fault } from '../testkit/faults.js';
import { summarize } from './percentiles.js';

const rounds = Number(
  process.argv.find((argument) => argument.startsWith('--rounds='))?.slice(9) ?? 20,
);
const deadlines = { firstTokenMs: 500, stallMs: 500, completionMs: 5_000 };

interface Case {
  name: string;
  /** The fault the primary commits on each request (undefined: healthy). */
  fault?: Fault;
  /** Use the route whose primary refuses connections. */
  refused?: boolean;
  /** What the switch should cost on top of the baseline, for the verdict. */
  goalMs: number;
  /** Part of the wait that is the deadline itself, not the switch. */
  deadlineMs?: number;
}

const cases: Case[] = [
  { name: 'healthy primary (baseline)', goalMs: Number.POSITIVE_INFINITY },
  { name: 'connection refused', refused: true, goalMs: 50 },
  {
    name: '500 from the primary',
    fault: { kind: 'status', status: 500, route: 'chat', times: 1 },
    goalMs: 50,
  },
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, retryAfter: 0, route: 'chat', times: 1 },
    goalMs: 50,
  },
  {
    name: 'hung before first token',
    fault: { kind: 'hang', route: 'chat', times: 1 },
    goalMs: 100,
    deadlineMs: deadlines.firstTokenMs,
  },
  {
    name: 'stall mid-stream (to next token)',
    fault: { kind: 'stall', afterChunks: 2, route: 'chat', times: 1 },
    goalMs: 100,
    deadlineMs: deadlines.stallMs,
  },
];

async function firstTokenMs(url: string, model: string, afterContent: boolean): Promise<number> {
  const started = performance.now();
  const response = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Go on.' }] }),
  });
  let seen = '';
  let contentChunks = 0;
  let at = Number.NaN;
  for await (const chunk of response.body) {
    seen += String(chunk);
    // The stall case measures the wait for the token after the stall: the second content chunk.
    contentChunks = (seen.match(/"content":"[^"]+"/g) ?? []).length;
    if (Number.isNaN(at) && contentChunks >= (afterContent ? 2 : 1))
      at = performance.now() - started;
  }
  if (!seen.includes('[DONE]'))
    throw new Error(`stream for ${model} did not finish: ${seen.slice(0, 200)}`);
  return at;
}

async function main(): Promise<void> {
  const primary = await startFakeUpstream({
    flavor: 'openai',
    maxLoggedRequests: 0,
    reply: { text: 'one two three four', chunks: 4 },
  });
  const backup = await startFakeUpstream({
    flavor: 'openai',
    maxLoggedRequests: 0,
    reply: { text: 'five six seven eight', chunks: 4 },
  });
  const refused = await closedPortOrigin();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-bench-failover-'));
  const config = configSchema.parse({
    providers: [
      { id: 'primary', type: 'openai-compatible', baseUrl: primary.baseUrl },
      { id: 'backup', type: 'openai-compatible', baseUrl: backup.baseUrl },
      { id: 'down', type: 'openai-compatible', baseUrl: `${refused}/v1`, models: ['gone'] },
    ],
    routes: {
      story: { models: ['primary/gpt-4o', 'backup/gpt-4o'], deadlines },
      refused: { models: ['down/gone', 'backup/gpt-4o'], deadlines },
    },
    // Measure every switch: keep breakers and demotion (after the 500 and 429 cases the
    // primary's error rate is over one half) out of the way.
    resilience: { breaker: { failuresToOpen: 1_000_000 }, degradation: { errorRate: 1 } },
  });
  const gateway = await createGateway({
    config,
    paths: resolveHome({ TTA_MODELS_HOME: home }),
    env: { TTA_MODELS_ADMIN_TOKEN: 'bench-admin-token' },
    logger: pino({ level: 'silent' }),
  });
  const server = await serve(gateway, { host: '127.0.0.1', port: 0 });
  const results: Array<{ name: string; p50: number; p90: number; added: number; goal: Case }> = [];
  try {
    for (let warm = 0; warm < 20; warm++) await firstTokenMs(server.url, 'route:story', false);
    let baseline = Number.NaN;
    for (const testCase of cases) {
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) {
        if (testCase.fault) primary.inject(testCase.fault);
        samples.push(
          await firstTokenMs(
            server.url,
            testCase.refused ? 'route:refused' : 'route:story',
            testCase.fault?.kind === 'stall',
          ),
        );
      }
      const summary = summarize(samples);
      if (Number.isNaN(baseline)) baseline = summary.p50;
      results.push({
        name: testCase.name,
        p50: summary.p50,
        p90: summary.p90,
        added: summary.p50 - baseline - (testCase.deadlineMs ?? 0),
        goal: testCase,
      });
    }
  } finally {
    await server.close();
    await primary.close();
    await backup.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
  const line = '─'.repeat(104);
  console.log(
    `\nFailover: time to first token through a two-model route, medians of ${rounds} requests each; deadlines first token ${deadlines.firstTokenMs} ms, stall ${deadlines.stallMs} ms.`,
  );
  console.log(line);
  console.log(
    `${'case'.padEnd(34)}${'p50 (ms)'.padStart(10)}${'p90 (ms)'.padStart(10)}${'switch adds (ms)'.padStart(18)}   goal${' '.repeat(24)}verdict`,
  );
  console.log(line);
  for (const result of results) {
    const isBaseline = !Number.isFinite(result.goal.goalMs);
    const goal = isBaseline
      ? ''
      : `< ${result.goal.goalMs} ms${result.goal.deadlineMs ? ' past the deadline' : ''}`;
    // Faster than the deadline it waits for: the faulty model was never called.
    const skipped = result.added < 0 && result.goal.deadlineMs !== undefined;
    const verdict = isBaseline
      ? ''
      : skipped
        ? 'NOT MEASURED (fault skipped)'
        : result.added < result.goal.goalMs && result.p50 < 5_000
          ? 'met'
          : 'NOT MET';
    console.log(
      `${result.name.padEnd(34)}${result.p50.toFixed(2).padStart(10)}${result.p90.toFixed(2).padStart(10)}${(isBaseline ? '' : result.added.toFixed(2)).padStart(18)}   ${goal.padEnd(28)}${verdict}`,
    );
  }
  console.log(line);
  console.log(
    '"switch adds" = p50 minus the healthy baseline (and minus the deadline for hangs and stalls); every case must also stay well inside 5 s.',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
