/** The errors version management answers with: each says what is wrong and what to do. */
import { GatewayError } from '../spec/errors.js';

/** A version request that cannot be done as asked (400, 404 or 409 with a specific code). */
export function versionError(
  message: string,
  status: 400 | 404 | 409,
  code: string,
  param: string | null = null,
): GatewayError {
  return new GatewayError(message, { status, type: 'invalid_request_error', code, param });
}
