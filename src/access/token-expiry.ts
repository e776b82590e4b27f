const unitMs: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Thrown for an expiry that cannot be used; the message says what to write instead. */
export class TokenExpiryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenExpiryError';
  }
}

/** A token lifetime such as `30d`, `12h`, `90m` or `2w`, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$/.exec(text);
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2] === undefined ? undefined : unitMs[match[2]];
  if (unit === undefined || !(amount > 0)) {
    throw new TokenExpiryError(
      `"${text}" is not a lifetime: write a number and m, h, d or w, e.g. 30d (30 days) or 12h.`,
    );
  }
  return amount * unit;
}

/** How a token's expiry is asked for: a lifetime from now, a moment, or never. */
export interface ExpiryRequest {
  /** A lifetime from now, e.g. `30d`. */
  expiresIn?: string;
  /** A moment: an ISO 8601 date-time or epoch milliseconds. */
  expiresAt?: string | number;
  /** The token never expires. */
  never?: boolean;
}

/**
 * The expiry an `ExpiryRequest` stands for: epoch milliseconds, null for never, or
 * undefined when it asks for nothing (keep what there is). Throws `TokenExpiryError`
 * for two choices at once, an unreadable one, or a moment that has passed.
 */
export function resolveExpiry(request: ExpiryRequest, now: number): number | null | undefined {
  const given = [request.expiresIn, request.expiresAt, request.never || undefined].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new TokenExpiryError('Give one of expiresIn, expiresAt or "never", not several.');
  }
  if (request.never) return null;
  if (request.expiresIn !== undefined) return Math.round(now + parseDuration(request.expiresIn));
  if (request.expiresAt === undefined) return undefined;
  const at =
    typeof request.expiresAt === 'number' ? request.expiresAt : Date.parse(request.expiresAt);
  if (!Number.isFinite(at)) {
    throw new TokenExpiryError(
      `"${request.expiresAt}" is not a date: use ISO 8601, e.g. 2027-01-31T00:00:00Z.`,
    );
  }
  if (at <= now) {
    throw new TokenExpiryError(
      `${new Date(at).toISOString()} has passed: a token must expire in the future.`,
    );
  }
  return Math.round(at);
}
