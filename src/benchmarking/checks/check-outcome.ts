import type { Check } from '../scenario-schema.js';

/** What one deterministic check found. */
export interface CheckOutcome {
  /** Which check. */
  kind: Check['kind'];
  /** True when the answer met it. */
  passed: boolean;
  /** What was found or missing, in a sentence (quotes the offending text, shortened). */
  detail: string;
}

/** The first `length` characters of `text` around a match, on one line, for failure details. */
export function excerpt(text: string, length = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > length ? `${oneLine.slice(0, length - 1)}…` : oneLine;
}

/** Words an answer has: runs of non-space characters. */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
}
