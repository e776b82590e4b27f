import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, sameDigest } from './token-hash.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('hashToken', () => {
  it('gives the SHA-256 of each token, asked once or many times, among many tokens', () => {
    const tokens = Array.from({ length: 600 }, (_, index) => `tta_user_${index}`);
    for (let round = 0; round < 3; round++) {
      for (const token of tokens) expect(hashToken(token)).toBe(sha256(token));
    }
    expect(sameDigest(hashToken('a'), sha256('a'))).toBe(true);
    expect(sameDigest(hashToken('a'), hashToken('b'))).toBe(false);
  });
});
