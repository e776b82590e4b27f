import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testkit/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testkit/start-test-gateway.js';
import { createGateway } from '../gateway.js';
import type { BenchResultRecord } from '../storage/index.js';
import {
  goodAnswers,
  malformedAnswers,
  scenarioOfRequest,
  testedScenarioIds,
  testedScenarios,
  unsafeAnswers,
} from './__fixtures__/scenario-answers.js';
import type { RunOutcome, RunProgress } from './benchmark-runner.js';

/**
 * The runner end to end: four fake providers answer the shipped scenarios scenario by
 * scenario — one well, one unsafely, one with malformed JSON and out of character, one
 * slowly after a 503 and a 429 with Retry-After — and a fake judge rates every answer
 * 5/5. Everything goes through the real gateway: dispatch, request log, storage, HTTP.
 */
const scenarios = testedScenarios();
let good: FakeUpstream;
let unsafe: FakeUpstream;
let malformed: FakeUpstream;
let slow: FakeUpstream;
let judge: FakeUpstream;
let test: TestGateway;
let outcome: RunOutcome;
const progress: RunProgress[] = [];
let results: BenchResultRecord[];

const models = ['good/counsel-1', 'unsafe/m', 'malformed/m', 'slow/m'];

function answering(answers: Partial<Record<string, string>>) {
  return (body: Record<string, unknown>) => {
    const id = scenarioOfRequest(scenarios, body);
    if (id === undefined) return 'I do not know this scenario.';
    return answers[id] ?? goodAnswers[id];
  };
}

async function api(route: string, init: RequestInit = {}, token = test.adminToken) {
  const response = await fetch(`${test.url}${route}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function resultOf(model: string, scenarioId: string): BenchResultRecord {
  const found = results.find(
    (result) => result.model === model && result.scenarioId === scenarioId,
  );
  if (!found) throw new Error(`no result for ${model} on ${scenarioId}`);
  return found;
}

beforeAll(async () => {
  // The OpenRouter flavor reports usage.cost, so costs come from the upstream.
  good = await startFakeUpstream({
    flavor: 'openrouter',
    models: ['counsel-1'],
    reply: { text: answering({}), chunks: 4 },
  });
  unsafe = await startFakeUpstream({
    flavor: 'openai',
    models: ['m'],
    reply: { text: answering(unsafeAnswers) },
  });
  malformed = await startFakeUpstream({
    flavor: 'openai',
    models: ['m'],
    reply: { text: answering(malformedAnswers) },
  });
  slow = await startFakeUpstream({
    flavor: 'openai',
    models: ['m'],
    reply: { text: answering({}), chunks: 5, chunkDelayMs: 20 },
  });
  judge = await startFakeUpstream({
    flavor: 'openai',
    models: ['rater'],
    reply: { text: '{"score": 5, "reasons": "Warm, specific and safe."}' },
  });
  slow.inject({ kind: 'status', status: 503, route: 'chat', times: 1 });
  slow.inject({ kind: 'status', status: 429, retryAfter: 1, route: 'chat', times: 1 });
  test = await startTestGateway({
    providers: [
      { id: 'good', type: 'openrouter', baseUrl: good.baseUrl },
      { id: 'unsafe', type: 'openai-compatible', baseUrl: unsafe.baseUrl },
      { id: 'malformed', type: 'openai-compatible', baseUrl: malformed.baseUrl },
      { id: 'slow', type: 'openai-compatible', baseUrl: slow.baseUrl },
      { id: 'judge', type: 'openai-compatible', baseUrl: judge.baseUrl },
    ],
    // Failures are injected on purpose: keep breakers out of the way.
    resilience: { breaker: { failuresToOpen: 1000 } },
  });
  outcome = await test.gateway.benchmarks.run(
    { models, scenarioIds: [...testedScenarioIds], judge: 'judge/rater', concurrency: 3 },
    { onProgress: (update) => progress.push(update) },
  );
  results = await test.gateway.benchmarks.results(outcome.runId);
});

afterAll(async () => {
  await test?.close();
  await Promise.all([good, unsafe, malformed, slow, judge].map((fake) => fake?.close()));
});

describe('a benchmark run through the gateway', () => {
  it('completes with exactly one result per model and scenario', () => {
    expect(outcome).toMatchObject({
      status: 'completed',
      total: models.length * testedScenarioIds.length,
      recorded: models.length * testedScenarioIds.length,
      alreadyRecorded: 0,
      errors: 0,
    });
    const keys = results.map((result) => `${result.model} ${result.scenarioId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(models.length * testedScenarioIds.length);
  });

  it('passes every shipped check with the good answers, with timings, tokens and the reported cost', () => {
    for (const id of testedScenarioIds) {
      const result = resultOf('good/counsel-1', id);
      expect({
        id,
        passed: result.passed,
        failed: (result.checks as Array<{ passed: boolean }>).filter((check) => !check.passed),
      }).toEqual({
        id,
        passed: true,
        failed: [],
      });
      expect(result).toMatchObject({
        status: 'answered',
        judgeScore: 5,
        judgeModel: 'judge/rater',
        costUsd: 0.00002,
      });
      expect(result.latencyMs).toBeGreaterThan(0);
      expect(result.firstTokenMs).toBeGreaterThan(0);
      expect(result.completionTokens).toBe(6);
      expect(result.tokensPerSecond).toBeGreaterThan(0);
    }
    expect(resultOf('good/counsel-1', 'crisis-ideation-better-off-without-me')).toMatchObject({
      safety: true,
      safetyPassed: true,
      quality: 1,
    });
  });

  it('fails unsafe answers on safety scenarios although the judge gave them 5/5', () => {
    for (const id of [
      'crisis-ideation-better-off-without-me',
      'crisis-substance-took-too-many',
      'therapeutic-asks-for-diagnosis',
      'consequence-walks-into-sea',
    ]) {
      const result = resultOf('unsafe/m', id);
      expect({
        id,
        passed: result.passed,
        safetyPassed: result.safetyPassed,
        judgeScore: result.judgeScore,
      }).toEqual({
        id,
        passed: false,
        safetyPassed: false,
        judgeScore: 5,
      });
    }
    const crisis = resultOf('unsafe/m', 'crisis-ideation-better-off-without-me').checks as Array<{
      kind: string;
      passed: boolean;
      detail: string;
    }>;
    expect(crisis.filter((check) => !check.passed).map((check) => check.kind)).toEqual([
      'crisis-response',
      'no-diagnosis',
      'must-not-include',
    ]);
    // The non-safety scenarios it answered well still pass.
    expect(resultOf('unsafe/m', 'choices-exactly-three').passed).toBe(true);
  });

  it('fails malformed JSON and an NPC out of character, saying why', () => {
    const choices = resultOf('malformed/m', 'choices-exactly-three');
    expect(choices.passed).toBe(false);
    expect(choices.checks).toEqual([
      expect.objectContaining({
        kind: 'json-schema',
        passed: false,
        detail: expect.stringMatching(/^not JSON/),
      }),
    ]);
    expect(resultOf('malformed/m', 'consequence-walks-into-sea')).toMatchObject({
      passed: false,
      safetyPassed: false,
    });
    const dialogue = resultOf('malformed/m', 'dialogue-fourth-wall-poke').checks as Array<{
      kind: string;
      passed: boolean;
      detail: string;
    }>;
    expect(dialogue.find((check) => check.kind === 'in-character')).toMatchObject({
      passed: false,
      detail: 'Old Maren steps out of character: "As an AI"',
    });
  });

  it('waits out a 503 and a 429 (Retry-After) on the slow model and records each scenario once', () => {
    const slowResults = results.filter((result) => result.model === 'slow/m');
    expect(slowResults).toHaveLength(testedScenarioIds.length);
    expect(slowResults.every((result) => result.passed)).toBe(true);
    expect(slowResults.reduce((sum, result) => sum + result.attempts - 1, 0)).toBe(2);
    // The fake saw every scenario once, plus the two refused calls.
    expect(slow.requests.filter((request) => request.route === 'chat')).toHaveLength(
      testedScenarioIds.length + 2,
    );
  });

  it('reports progress up to the total', () => {
    const done = progress.map((update) => update.done);
    expect(done).toEqual([...done].sort((left, right) => left - right));
    expect(progress.at(-1)).toMatchObject({
      done: outcome.total,
      total: outcome.total,
      running: 0,
    });
    expect(progress.some((update) => update.etaMs !== null)).toBe(true);
  });

  it('records the calls in the request log with their task, as benchmark traffic', async () => {
    const logged = await test.gateway.storage.requests.recent({ limit: 1000 });
    const benchmarkCalls = logged.filter(
      (request) => request.id.startsWith('bench-') && !request.id.includes('-judge-'),
    );
    expect(benchmarkCalls.length).toBe(models.length * testedScenarioIds.length + 2);
    expect(new Set(benchmarkCalls.map((request) => request.task))).toEqual(
      new Set(scenarios.map((scenario) => scenario.task)),
    );
  });

  it('keeps scores in memory for selection, per task', () => {
    const crisis = test.gateway.benchmarks.scores.scoresFor('crisis_screening');
    expect(
      crisis.map((score) => [score.model, score.safetyPassRate, score.samples]).sort(),
    ).toEqual([
      ['good/counsel-1', 1, 2],
      ['malformed/m', 1, 2],
      ['slow/m', 1, 2],
      ['unsafe/m', 0, 2],
    ]);
    expect(crisis.find((score) => score.model === 'good/counsel-1')).toMatchObject({
      task: 'crisis_screening',
      quality: 1,
      modelVersion: 'counsel-1',
    });
    expect(test.gateway.benchmarks.scores.scoresFor('summarization')).toEqual([]);
  });

  it('loads the scores when a gateway starts on the same database', async () => {
    const restarted = await createGateway({
      config: test.gateway.config,
      paths: test.gateway.paths,
      env: { TTA_MODELS_ADMIN_TOKEN: test.adminToken },
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(restarted.benchmarks.scores.scoresFor('crisis_screening')).toEqual(
        test.gateway.benchmarks.scores.scoresFor('crisis_screening'),
      );
    } finally {
      await restarted.close();
    }
  });
});

describe('the benchmark HTTP API', () => {
  it('shows a run, its progress and its results', async () => {
    const view = await api(`/api/bench/runs/${outcome.runId}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      active: false,
      resumable: false,
      run: { id: outcome.runId, status: 'completed', recorded: 28, total: 28 },
    });
    const listed = await api(`/api/bench/runs/${outcome.runId}/results?answers=false`);
    expect(listed.body.results).toHaveLength(28);
    expect(listed.body.results[0].answer).toBeUndefined();
    expect((await api('/api/bench/runs/run_missing')).status).toBe(404);
  });

  it('compares models side by side per task and overall', async () => {
    const { status, body } = await api('/api/bench/compare?models=good/counsel-1,unsafe/m');
    expect(status).toBe(200);
    expect(body.groups.map((group: { task: string }) => group.task)).toEqual([
      'choice_generation',
      'consequence_analysis',
      'crisis_screening',
      'dialogue_generation',
      'narrative_generation',
      'therapeutic_response',
      'overall',
    ]);
    const overall = body.groups.at(-1);
    expect(overall.cells.map((cell: { passRate: number }) => cell.passRate)).toEqual([1, 3 / 7]);
    expect(overall.differences[0]).toMatchObject({
      model: 'unsafe/m',
      pairs: 7,
      significant: false,
    });
    expect(overall.differences[0].note).toContain('too few differing scenarios');
  });

  it('serves benchmark metrics from the daily rollups, grouped by model', async () => {
    const { status, body } = await api('/api/metrics?source=benchmark&groupBy=model');
    expect(status).toBe(200);
    const byModel = Object.fromEntries(body.rows.map((row: { model: string }) => [row.model, row]));
    expect(byModel['good/counsel-1']).toMatchObject({
      requests: 7,
      scenarios: 7,
      passRate: 1,
      safetyPassRate: 1,
    });
    expect(byModel['unsafe/m']).toMatchObject({ scenarios: 7, safetyPassRate: 0 });
    expect(byModel['good/counsel-1'].costUsd).toBeCloseTo(7 * 0.00002, 10);
    expect(byModel['good/counsel-1'].p95LatencyMs).toBeGreaterThan(0);
    // Benchmark traffic is not live traffic.
    expect((await api('/api/metrics?source=live')).body.rows).toEqual([]);
  });

  it('monitors live traffic per model, apart from benchmark traffic, with a daily trend', async () => {
    for (let turn = 0; turn < 3; turn++) {
      const response = await fetch(`${test.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tta-task': 'narrative_generation' },
        body: JSON.stringify({
          model: 'good/counsel-1',
          messages: [{ role: 'user', content: 'I enter the cave.' }],
        }),
      });
      expect(response.status).toBe(200);
    }
    const metrics = await api('/api/metrics?source=live&groupBy=model,task,day');
    expect(metrics.body.rows).toMatchObject([
      {
        model: 'good/counsel-1',
        task: 'narrative_generation',
        requests: 3,
        errors: 0,
        errorRate: 0,
        completionTokens: 18,
      },
    ]);
    expect(metrics.body.rows[0].costUsd).toBeCloseTo(3 * 0.00002, 10);
    const live = await api('/api/metrics/live?windowMinutes=60');
    expect(live.status).toBe(200);
    expect(live.body.models).toMatchObject([
      { model: 'good/counsel-1', task: null, requests: 3, errorRate: 0 },
    ]);
    expect(live.body.models[0].p95LatencyMs).toBeGreaterThan(0);
    expect(live.body.trend).toMatchObject([{ model: 'good/counsel-1', requests: 3 }]);
    expect((await api('/api/alerts')).body).toEqual({ alerts: [] });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const response = await fetch(`${test.url}/openapi.json`);
    expect(response.status).toBe(200);
    const paths = Object.keys(
      ((await response.json()) as { paths: Record<string, unknown> }).paths,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/bench/runs',
        '/api/bench/runs/{id}',
        '/api/bench/compare',
        '/api/metrics',
        '/api/metrics/live',
        '/api/alerts',
      ]),
    );
  });

  it('starts a run over HTTP for the admin only, and reports it finished', async () => {
    const refused = await api(
      '/api/bench/runs',
      { method: 'POST', body: JSON.stringify({ models: ['good/counsel-1'] }) },
      'not-a-token',
    );
    expect(refused.status).toBe(401);
    const started = await api('/api/bench/runs', {
      method: 'POST',
      body: JSON.stringify({
        models: 'good/counsel-1',
        scenarioIds: ['choices-exactly-three'],
        judge: null,
      }),
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ total: 1, status: 'running' });
    let view = await api(`/api/bench/runs/${started.body.runId}`);
    while (view.body.active) {
      await sleep(20);
      view = await api(`/api/bench/runs/${started.body.runId}`);
    }
    expect(view.body.run).toMatchObject({ status: 'completed', recorded: 1, passed: 1 });
    const unknown = await api('/api/bench/runs', {
      method: 'POST',
      body: JSON.stringify({ models: ['nowhere/x'] }),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('model_not_found');
  });
});
