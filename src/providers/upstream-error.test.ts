import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../spec/errors.js';
import { inBandError, retryAfterMs, upstreamErrorMessage } from './upstream-error.js';

describe('upstreamErrorMessage', () => {
  it('reads OpenAI, Anthropic, Ollama and FastAPI error bodies, and plain text', () => {
    expect(upstreamErrorMessage(500, '{"error":{"message":"boom","type":"server_error"}}')).toBe(
      'upstream answered 500: boom',
    );
    expect(
      upstreamErrorMessage(
        529,
        '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      ),
    ).toBe('upstream answered 529: Overloaded');
    expect(upstreamErrorMessage(404, '{"error":"model not found"}')).toBe(
      'upstream answered 404: model not found',
    );
    expect(upstreamErrorMessage(422, '{"detail":"bad field"}')).toBe(
      'upstream answered 422: bad field',
    );
    expect(upstreamErrorMessage(502, '<html>Bad Gateway</html>')).toBe(
      'upstream answered 502: <html>Bad Gateway</html>',
    );
    expect(upstreamErrorMessage(503, '')).toBe('upstream answered 503: (no body)');
    expect(upstreamErrorMessage(500, 'x'.repeat(1000))).toHaveLength(
      'upstream answered 500: '.length + 303,
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': '1.5' }, now)).toBe(1500);
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '1' }, now)).toBe(250);
  });
  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '' }, now)).toBeUndefined();
  });
});

describe('inBandError', () => {
  it('finds an error object and takes a numeric code as its status', () => {
    const error = inBandError('openrouter', { error: { code: 502, message: 'provider down' } });
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ statusCode: 502, isRetryable: true, providerId: 'openrouter' });
    expect(error?.message).toBe('openrouter: upstream reported an error: provider down');
    expect(inBandError('x', { error: 'plain' })).toMatchObject({
      code: 'upstream_error',
      isRetryable: true,
    });
    expect(inBandError('x', { choices: [] })).toBeUndefined();
  });
});
