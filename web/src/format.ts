/** Numbers as people read them. */

const gib = 1024 ** 3;

/** `1.2 GB`, `512 MB`. */
export function bytes(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  if (value >= gib) return `${(value / gib).toFixed(1)} GB`;
  if (value >= 1024 ** 2) return `${Math.round(value / 1024 ** 2)} MB`;
  return `${Math.round(value / 1024)} KB`;
}

/** `131k`, `8k`, `1M` tokens. */
export function tokens(value: number | undefined | null): string {
  if (!value) return '—';
  if (value >= 1_000_000) return `${Number((value / 1_000_000).toFixed(1))}M`;
  if (value >= 1_000) return `${Math.round(value / 1_000)}k`;
  return String(value);
}

/** USD per token as USD per million tokens: `$0.13`. */
export function perMillion(perToken: number | undefined): string {
  if (perToken === undefined || perToken < 0) return 'varies';
  const value = perToken * 1_000_000;
  if (value === 0) return '$0';
  return `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(2)}`;
}

/** A time of day, or a date when it is not today. */
export function when(epochMs: number | null | undefined): string {
  if (!epochMs) return 'never';
  const date = new Date(epochMs);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/** `42 s`, `5 min`, `3 h`, `2 d`. */
export function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** `12 ms`, `1.4 s`. */
export function millis(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** `0.575` as `58%`. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
