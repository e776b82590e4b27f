import { describe, expect, it } from 'vitest';
import { ApiCallError, InvalidRequestError } from '../spec/index.js';
import { classifyFailure } from './classify-failure.js';
import { createRateGate } from './rate-gate.js';

describe('the rate gate', () => {
  it('spaces starts by the rule, sharing a budget across matching models when asked', () => {
    let clock = 0;
    const gate = createRateGate(
      [{ match: 'openrouter/*:free', requestsPerMinute: 20, shared: true }],
      () => clock,
    );
    expect(gate.readyAt('openrouter/a:free')).toBe(0);
    gate.take('openrouter/a:free');
    expect(gate.readyAt('openrouter/b:free')).toBe(3_000);
    expect(gate.readyAt('ollama/llama3.2')).toBe(0);
    clock = 3_000;
    expect(gate.readyAt('openrouter/a:free')).toBeLessThanOrEqual(clock);
  });

  it('holds a model back for a Retry-After pause', () => {
    let clock = 1_000;
    const gate = createRateGate([], () => clock);
    gate.pause('up/m', 2_000);
    expect(gate.readyAt('up/m')).toBe(3_000);
    expect(gate.readyAt('up/other')).toBe(0);
    clock = 5_000;
    gate.pause('up/m', 500);
    expect(gate.readyAt('up/m')).toBe(5_500);
  });
});

describe('classifyFailure', () => {
  const live = new AbortController().signal;
  it('waits out rate limits with the upstream Retry-After', () => {
    const limited = new ApiCallError({
      message: 'slow down',
      providerId: 'up',
      statusCode: 429,
      retryAfterMs: 1500,
    });
    expect(classifyFailure(limited, live)).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 1500,
      message: 'slow down',
    });
  });
  it('retries 5xx and timeouts, records malformed requests as errors', () => {
    expect(
      classifyFailure(
        new ApiCallError({ message: 'boom', providerId: 'up', statusCode: 503 }),
        live,
      ).kind,
    ).toBe('transient');
    expect(classifyFailure(new InvalidRequestError('bad body'), live).kind).toBe('permanent');
  });
  it('treats anything after an abort as an abort', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyFailure(new Error('whatever'), controller.signal)).toEqual({ kind: 'aborted' });
  });
});
