/** A key to add, and the checks it must pass before it is sealed. */
import type { ApiKeyStatus } from '../storage/index.js';
import { VaultError } from './vault-error.js';

const minimumSecretLength = 8;
const maximumSecretLength = 4096;
const maximumLabelLength = 200;

/** A key to add. */
export interface NewApiKey {
  /** A user id, or `operator`. */
  owner: string;
  /** Configured provider id the key is for. */
  providerId: string;
  /** Optional label (at most 200 characters). */
  label?: string;
  /** The secret; surrounding whitespace is trimmed. At least 8 characters, none blank or control. */
  secret: string;
  /** The outcome of a validation run before saving, if there was one. */
  status?: ApiKeyStatus;
  /** Its message. */
  statusMessage?: string;
}

/** Checks and normalises a new key; messages never quote the secret. */
export function checkNewKey(key: NewApiKey): {
  owner: string;
  providerId: string;
  label: string | null;
  secret: string;
  status: ApiKeyStatus;
  statusMessage: string | null;
} {
  const invalid = (message: string): VaultError => new VaultError('vault_invalid_input', message);
  const owner = typeof key.owner === 'string' ? key.owner.trim() : '';
  const providerId = typeof key.providerId === 'string' ? key.providerId.trim() : '';
  if (owner === '') throw invalid('a key needs an owner (a user id, or "operator")');
  if (providerId === '') throw invalid('a key needs the id of the provider it is for');
  const label = key.label === undefined ? '' : String(key.label).trim();
  if (label.length > maximumLabelLength)
    throw invalid(`the label is longer than ${maximumLabelLength} characters`);
  const secret = typeof key.secret === 'string' ? key.secret.trim() : '';
  if (secret === '') throw invalid('the API key is empty');
  if (secret.length < minimumSecretLength)
    throw invalid(`the API key is too short to be one (${secret.length} characters)`);
  if (secret.length > maximumSecretLength)
    throw invalid(`the API key is longer than ${maximumSecretLength} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  if (/[\s\u0000-\u001f\u007f]/.test(secret))
    throw invalid('the API key contains spaces, line breaks or control characters; paste it again');
  return {
    owner,
    providerId,
    label: label === '' ? null : label,
    secret,
    status: key.status ?? 'unchecked',
    statusMessage: key.statusMessage ?? null,
  };
}
