/**
 * Sealing one secret: AES-256-GCM with a fresh random 12-byte nonce, the key id, owner
 * and provider id bound as associated data, written as a versioned envelope
 * `v1.<nonce>.<ciphertext>.<tag>` (base64url). A sealed value copied into another row
 * does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultError } from './vault-error.js';

/** What a sealed secret is bound to: it only opens for the same three values. */
export interface SealBinding {
  /** The key id (`key_...`). */
  keyId: string;
  /** The owner (user id or `operator`). */
  owner: string;
  /** The configured provider id. */
  providerId: string;
}

const version = 'v1';
const nonceBytes = 12;
const tagBytes = 16;

/** The associated data: unambiguous (JSON), versioned, and named for its purpose. */
function associatedData(binding: SealBinding): Buffer {
  return Buffer.from(
    JSON.stringify([
      'tta-models/api-key',
      version,
      binding.keyId,
      binding.owner,
      binding.providerId,
    ]),
    'utf8',
  );
}

function checkKey(masterKey: Buffer): void {
  if (masterKey.length !== 32) throw new RangeError('the data key must be 32 bytes');
}

/** Seals `secret` under the 32-byte `masterKey`, bound to `binding`. */
export function sealSecret(masterKey: Buffer, secret: string, binding: SealBinding): string {
  checkKey(masterKey);
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: tagBytes });
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [version, nonce, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Opens a sealed value. Throws `VaultError` (`vault_secret_unreadable`) naming the key id
 * when the envelope is malformed, altered, bound to another row, or sealed under another
 * master key; the message never holds the secret or the key.
 */
export function openSealed(masterKey: Buffer, sealed: string, binding: SealBinding): string {
  checkKey(masterKey);
  const parts = sealed.split('.');
  const [tag, nonceText, ciphertextText, tagText] = parts;
  if (parts.length !== 4 || tag !== version) {
    const found = parts.length === 4 && /^v\d+$/.test(tag ?? '') ? ` (version ${tag})` : '';
    throw new VaultError(
      'vault_secret_unreadable',
      `key ${binding.keyId}: the stored secret is not a ${version} vault envelope${found}; it was damaged or written by a newer tta-models. Remove the key and add it again.`,
    );
  }
  const nonce = Buffer.from(nonceText ?? '', 'base64url');
  const ciphertext = Buffer.from(ciphertextText ?? '', 'base64url');
  const authTag = Buffer.from(tagText ?? '', 'base64url');
  try {
    if (nonce.length !== nonceBytes || authTag.length !== tagBytes) throw new Error('bad lengths');
    const decipher = createDecipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: tagBytes });
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new VaultError(
      'vault_secret_unreadable',
      `key ${binding.keyId}: the stored secret does not open; it was altered, copied from another key's row, or sealed with another master key. Nothing was changed; remove the key and add it again.`,
      { cause },
    );
  }
}
