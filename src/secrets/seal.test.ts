import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealed, sealSecret } from './seal.js';
import { VaultError } from './vault-error.js';

const key = randomBytes(32);
const secret = 'sk-or-v1-canary-5f0c7d2e9a1b4c3d';
const binding = { keyId: 'key_a', owner: 'usr_1', providerId: 'openrouter' };

/** The error thrown by `run`, asserted to be a VaultError that does not quote the secret. */
function refusal(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    const vaultError = error as VaultError;
    expect(vaultError.message).not.toContain(secret);
    expect(vaultError.message).not.toContain(key.toString('base64'));
    expect(vaultError.code).toBe('vault_secret_unreadable');
    return vaultError;
  }
  throw new Error('expected a refusal');
}

describe('sealSecret / openSealed', () => {
  it('round-trips, with a fresh nonce each time and no plaintext in the envelope', () => {
    const first = sealSecret(key, secret, binding);
    const second = sealSecret(key, secret, binding);
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('canary');
    expect(openSealed(key, first, binding)).toBe(secret);
    expect(openSealed(key, second, binding)).toBe(secret);
    expect(openSealed(key, sealSecret(key, 'ünïcødé-sécret', binding), binding)).toBe(
      'ünïcødé-sécret',
    );
  });

  it('refuses altered ciphertext, nonce or tag', () => {
    const sealed = sealSecret(key, secret, binding);
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const altered = [...parts];
      const bytes = Buffer.from(altered[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      altered[index] = bytes.toString('base64url');
      const error = refusal(() => openSealed(key, altered.join('.'), binding));
      expect(error.message).toMatch(/key key_a: the stored secret does not open; it was altered/);
    }
  });

  it('refuses a ciphertext moved to another key id, owner or provider', () => {
    const sealed = sealSecret(key, secret, binding);
    refusal(() => openSealed(key, sealed, { ...binding, keyId: 'key_b' }));
    refusal(() => openSealed(key, sealed, { ...binding, owner: 'usr_2' }));
    refusal(() => openSealed(key, sealed, { ...binding, providerId: 'claude' }));
  });

  it('refuses another master key', () => {
    const sealed = sealSecret(key, secret, binding);
    refusal(() => openSealed(randomBytes(32), sealed, binding));
  });

  it('refuses malformed envelopes and names an unknown version', () => {
    expect(refusal(() => openSealed(key, 'not an envelope', binding)).message).toMatch(
      /not a v1 vault envelope/,
    );
    expect(refusal(() => openSealed(key, 'v9.a.b.c', binding)).message).toMatch(/version v9/);
    refusal(() => openSealed(key, 'v1.AAAA.BBBB.CCCC', binding));
  });
});
