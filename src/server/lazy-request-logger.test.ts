import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../telemetry/logger.js';
import { lazyRequestLogger } from './lazy-request-logger.js';

function gatewayLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  }) as unknown as FastifyBaseLogger;
  return { logger, lines };
}

describe('lazyRequestLogger', () => {
  it('writes lines with the request id and the gateway redaction, like a pino child', () => {
    const { logger, lines } = gatewayLogger();
    const log = lazyRequestLogger(logger, { reqId: 'request-1' }, {});
    log.warn({ code: 'upstream_timeout', apiKey: 'sk-live-123' }, 'stream failed');
    log.debug('not at this level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reqId: 'request-1',
      code: 'upstream_timeout',
      apiKey: '[redacted]',
      msg: 'stream failed',
      service: 'tta-models',
    });
  });

  it('makes the child only when something is logged', () => {
    const { logger } = gatewayLogger();
    const child = vi.spyOn(logger, 'child');
    const log = lazyRequestLogger(logger, { reqId: 'request-2' }, {});
    expect(log.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    log.error('once');
    log.error('twice');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('honours a level given to the request logger, and makes grandchildren', () => {
    const { logger, lines } = gatewayLogger();
    const log = lazyRequestLogger(logger, { reqId: 'request-3' }, { level: 'debug' });
    expect(log.level).toBe('debug');
    log.child({ step: 'upstream' }).debug('deeper');
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'request-3', step: 'upstream', msg: 'deeper' }),
    ]);
  });
});
