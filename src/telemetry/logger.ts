import pino, { type Logger } from 'pino';
import { createScrubbingDestination, type LineDestination } from '../secrets/index.js';

export type { Logger } from 'pino';

/** Paths pino blanks out wherever they appear, so no credential reaches a log line. */
export const redactedPaths = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'api_key',
  '*.api_key',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

/**
 * The process logger: JSON lines with request ids. Credentials are removed twice:
 * by field (pino redaction) and by shape or known value in the finished line
 * (the secret scrubber), so a key quoted inside an upstream error message goes too.
 */
export function createLogger(options: {
  level: string;
  destination?: LineDestination;
  knownSecrets?: () => Iterable<string>;
}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: false });
  return pino(
    {
      level: options.level,
      base: { service: 'tta-models' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    createScrubbingDestination(destination, options.knownSecrets) as pino.DestinationStream,
  );
}
