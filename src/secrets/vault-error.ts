import { GatewayError } from '../spec/errors.js';

/** Why the vault refused. Each code has one HTTP status (see {@link VaultError}). */
export type VaultErrorCode =
  /** No such key, or it belongs to someone else (the two are not told apart). 404. */
  | 'vault_key_not_found'
  /** The secret, owner, provider or label given to `add` is unusable. 400. */
  | 'vault_invalid_input'
  /** `TTA_MODELS_MASTER_KEY` (or the key file) is not 32 bytes of base64 or hex. 500. */
  | 'vault_master_key_malformed'
  /** The master key is not the one the vault was sealed with, or its file is missing. 500. */
  | 'vault_master_key_mismatch'
  /** A stored secret does not open: altered, moved to another row, or sealed with another key. 500. */
  | 'vault_secret_unreadable'
  /** The master key could not be rotated; nothing was changed. 500 (409 while one is in progress). */
  | 'vault_rotation_failed';

const statusOf: Record<VaultErrorCode, number> = {
  vault_key_not_found: 404,
  vault_invalid_input: 400,
  vault_master_key_malformed: 500,
  vault_master_key_mismatch: 500,
  vault_secret_unreadable: 500,
  vault_rotation_failed: 500,
};

/**
 * Everything the key vault refuses. A `GatewayError`, so the HTTP layer maps it like any
 * other; its message says what is wrong and what to do, and never holds a secret or key.
 */
export class VaultError extends GatewayError {
  override readonly code: VaultErrorCode;

  constructor(
    code: VaultErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    const status = options.status ?? statusOf[code];
    super(message, {
      status,
      type: status < 500 ? 'invalid_request_error' : 'server_error',
      code,
      cause: options.cause,
    });
    this.code = code;
  }
}
