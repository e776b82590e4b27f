import { createHash, timingSafeEqual } from 'node:crypto';

/** Most tokens whose hash is remembered: callers are few, but tokens come from clients. */
const rememberedHashes = 256;

// Every data-plane request hashes its bearer token: a client sends the same one each
// time, so its hash is remembered (a pure function of the token; revocation and expiry
// are decided on the hash afterwards, exactly as before).
const hashes = new Map<string, string>();

/** SHA-256 hex of a token: what is stored and compared, never the token itself. */
export function hashToken(token: string): string {
  const known = hashes.get(token);
  if (known !== undefined) return known;
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  if (hashes.size >= rememberedHashes) hashes.clear();
  hashes.set(token, hash);
  return hash;
}

/** Compares two hex digests in constant time. */
export function sameDigest(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex');
  const b = Buffer.from(right, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of an `Authorization: Bearer ...` header (or an `x-api-key` value). */
export function bearerToken(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^bearer\s+/i.test(authorization)) {
    return authorization.replace(/^bearer\s+/i, '').trim() || undefined;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
}
