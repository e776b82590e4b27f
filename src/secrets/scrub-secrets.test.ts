import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createScrubbingDestination, createSecretScrubber, scrubSecrets } from './scrub-secrets.js';

describe('scrubSecrets', () => {
  it.each([
    [
      'OpenRouter',
      'key sk-or-v1-0123456789abcdef0123456789abcdef0123 failed',
      'key [redacted] failed',
    ],
    ['Anthropic', 'x-api-key: sk-ant-api03-AbCdEf_123-456', 'x-api-key: [redacted]'],
    ['OpenAI project', '"sk-proj-Ab12_Cd34-Ef56Gh78"', '"[redacted]"'],
    [
      'generic sk-',
      'Incorrect API key provided: sk-abcdefghijklmnopqrstuvwx.',
      'Incorrect API key provided: [redacted].',
    ],
    ['bearer header', 'authorization: Bearer abc.def-ghi_jkl', 'authorization: Bearer [redacted]'],
    ['lower-case bearer', 'bearer 0123456789abcdef', 'bearer [redacted]'],
    ['admin token', 'token tta_admin_abcdefghijklmnopqrstuvwx', 'token [redacted]'],
    ['two keys', 'sk-or-v1-aaaaaaaaaaaa and sk-ant-bbbbbbbbbbbb', '[redacted] and [redacted]'],
  ])('removes a %s key', (_name, text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });

  it.each([
    'task-0123456789abcdefghijklmnop is a task id',
    'sk-short',
    'a Bearer token is missing',
    'the risk-assessment-of-everything-here',
    'plain text with nothing secret',
  ])('leaves %j alone', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });

  it('removes known secrets of any shape, as is, JSON-escaped and URL-encoded', () => {
    const known = ['Zq9"weird\\secret', 'local-server-pass', 'short'];
    const text = [
      'raw Zq9"weird\\secret',
      `json ${JSON.stringify({ key: 'Zq9"weird\\secret' })}`,
      `url ?key=${encodeURIComponent('Zq9"weird\\secret')}`,
      'prefix-local-server-pass-suffix',
      'short stays',
    ].join('\n');
    expect(scrubSecrets(text, known)).toBe(
      [
        'raw [redacted]',
        'json {"key":"[redacted]"}',
        'url ?key=[redacted]',
        'prefix-[redacted]-suffix',
        'short stays',
      ].join('\n'),
    );
  });

  it('removes the longer of two overlapping secrets whole', () => {
    expect(scrubSecrets('abcdefgh-ijkl', ['abcdefgh', 'abcdefgh-ijkl'])).toBe('[redacted]');
  });

  it('returns the very same string when nothing matches', () => {
    const text = 'nothing to see here '.repeat(10);
    expect(scrubSecrets(text, ['not-in-there-at-all'])).toBe(text);
    expect(createSecretScrubber(() => ['absent-secret'])(text)).toBe(text);
  });
});

describe('createSecretScrubber', () => {
  it('follows the known secrets as they change', () => {
    let known: string[] = [];
    const scrub = createSecretScrubber(() => known);
    expect(scrub('value custom-secret-1')).toBe('value custom-secret-1');
    known = ['custom-secret-1'];
    expect(scrub('value custom-secret-1')).toBe('value [redacted]');
  });
});

describe('createScrubbingDestination', () => {
  it('scrubs every line written through it and passes flush on', () => {
    const lines: string[] = [];
    let flushed = 0;
    const destination = createScrubbingDestination(
      {
        write: (line: string) => lines.push(line),
        flushSync: () => {
          flushed += 1;
        },
      },
      () => ['vault-secret-123'],
    );
    destination.write('{"msg":"upstream said vault-secret-123 and sk-or-v1-abcdef123456"}\n');
    destination.write('{"msg":"fine"}\n');
    destination.flushSync?.();
    expect(lines).toEqual([
      '{"msg":"upstream said [redacted] and [redacted]"}\n',
      '{"msg":"fine"}\n',
    ]);
    expect(flushed).toBe(1);
    expect(destination.end).toBeUndefined();
  });
});

describe('with pino', () => {
  it('keeps secrets out of messages, fields and error stacks at debug level', () => {
    const lines: string[] = [];
    const canary = 'canary-7c1e9f20b4d3';
    const logger = pino(
      { level: 'debug' },
      createScrubbingDestination({ write: (line: string) => lines.push(line) }, () => [canary]),
    );
    logger.debug({ upstreamBody: `Incorrect API key provided: ${canary}` }, 'upstream said no');
    logger.error(new Error(`failed with Bearer ${canary}`), 'call failed');
    logger.info(`key sk-or-v1-${'f'.repeat(64)}`);
    expect(lines).toHaveLength(3);
    const all = lines.join('');
    expect(all).not.toContain(canary);
    expect(all).not.toContain('f'.repeat(64));
    expect(JSON.parse(lines[0] ?? '{}').upstreamBody).toBe(
      'Incorrect API key provided: [redacted]',
    );
    expect(JSON.parse(lines[1] ?? '{}').err.message).toBe('failed with Bearer [redacted]');
  });
});
