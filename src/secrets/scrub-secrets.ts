/**
 * Removes secrets from text before it is logged or returned: anything shaped like a
 * provider key or a bearer token, and every secret the vault knows (also as it appears
 * inside JSON strings and URLs). Text with nothing to remove is returned as is, without
 * allocating.
 */

/** What a removed secret is replaced with. */
export const redacted = '[redacted]';

/** Known secrets shorter than this are not searched for (they would match ordinary words). */
export const minimumKnownSecretLength = 8;

// A key starts where no key character precedes it ("task-..." is not "sk-...").
const keyStart = '(?<![A-Za-z0-9_-])';
const keyShapes = [
  // OpenRouter sk-or-v1-, Anthropic sk-ant-, OpenAI project/service/admin keys: short tails too.
  `${keyStart}sk-(?:or-v1|ant|proj|svcacct|admin)-[A-Za-z0-9_-]{8,}`,
  // Any other sk- key (OpenAI legacy, DeepSeek, ...).
  `${keyStart}sk-[A-Za-z0-9_-]{20,}`,
  // This gateway's own admin and user tokens.
  `${keyStart}tta_(?:admin|user)_[A-Za-z0-9_-]{16,}`,
  // Hugging Face, Groq, xAI, Google API keys.
  `${keyStart}(?:hf_|gsk_|xai-)[A-Za-z0-9_-]{20,}`,
  `${keyStart}AIza[A-Za-z0-9_-]{30,}`,
].join('|');
// `Bearer <token>`: the word is kept, the token goes.
const bearer = '\\b(Bearer|bearer|BEARER)[ \\t]+[A-Za-z0-9._~+/=-]{8,}';
const secretShape = new RegExp(`${keyShapes}|${bearer}`);
const secretShapes = new RegExp(`${keyShapes}|${bearer}`, 'g');

/** A secret whose only form is itself (nothing to escape in JSON or a URL). */
const plainForm = /^[A-Za-z0-9\-_.!~*'()]*$/;
const noForms: readonly string[] = [];

/** The forms a secret takes in text: as is, inside a JSON string, URL-encoded. */
function formsOf(secret: string): string[] {
  const forms = [secret];
  if (/["\\]/.test(secret)) forms.push(JSON.stringify(secret).slice(1, -1));
  if (!plainForm.test(secret)) forms.push(encodeURIComponent(secret));
  return forms;
}

/** Known secrets prepared for searching: every form, longest first, too-short ones dropped. */
function prepare(known: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of known) {
    if (typeof secret !== 'string' || secret.length < minimumKnownSecretLength) continue;
    for (const form of formsOf(secret)) forms.add(form);
  }
  return [...forms].sort((left, right) => right.length - left.length);
}

function scrubPrepared(text: string, forms: readonly string[]): string {
  let result = text;
  for (const form of forms) {
    if (result.includes(form)) result = result.replaceAll(form, redacted);
  }
  if (!secretShape.test(result)) return result;
  return result.replace(secretShapes, (_match, word: string | undefined) =>
    word === undefined ? redacted : `${word} ${redacted}`,
  );
}

/**
 * `text` with every key-shaped string (`sk-or-v1-…`, `sk-ant-…`, `sk-proj-…`, `sk-…` of
 * 20+ characters, `Bearer <token>`, …) and every `known` secret replaced by `[redacted]`.
 * Returns `text` itself when nothing matches.
 */
export function scrubSecrets(text: string, known: Iterable<string> = []): string {
  for (const secret of known) {
    if (typeof secret !== 'string' || secret.length < minimumKnownSecretLength) continue;
    const found = plainForm.test(secret)
      ? text.includes(secret)
      : formsOf(secret).some((form) => text.includes(form));
    if (found) return scrubPrepared(text, prepare(known));
  }
  return scrubPrepared(text, noForms);
}

/**
 * A scrubber bound to a source of known secrets, for hot paths: the prepared list is
 * rebuilt only when `getKnownSecrets` returns a different object (the vault's
 * `cachedSecrets()` returns the same array until a new secret is seen).
 */
export function createSecretScrubber(
  getKnownSecrets: () => Iterable<string> = () => [],
): (text: string) => string {
  let source: Iterable<string> | undefined;
  let forms: string[] = [];
  return (text) => {
    const current = getKnownSecrets();
    if (current !== source) {
      source = current;
      forms = prepare(current);
    }
    return scrubPrepared(text, forms);
  };
}

/** Where pino writes lines (`pino.destination()`, a file stream, `process.stdout`, ...). */
export interface LineDestination {
  write(line: string): unknown;
  flush?(callback?: (error?: Error | null) => void): void;
  flushSync?(): void;
  end?(): void;
}

/**
 * A pino destination that scrubs every line before handing it to `destination`:
 * `pino(options, createScrubbingDestination(pino.destination(2), () => vault.cachedSecrets()))`.
 * It sees the final JSON line, so messages, error stacks and any field are covered.
 * `flush`, `flushSync` and `end` are passed through when the destination has them.
 */
export function createScrubbingDestination(
  destination: LineDestination,
  getKnownSecrets?: () => Iterable<string>,
): LineDestination {
  const scrub = createSecretScrubber(getKnownSecrets);
  const wrapped: LineDestination = {
    write: (line) => destination.write(scrub(line)),
  };
  if (typeof destination.flush === 'function')
    wrapped.flush = (callback) => destination.flush?.(callback);
  if (typeof destination.flushSync === 'function')
    wrapped.flushSync = () => destination.flushSync?.();
  if (typeof destination.end === 'function') wrapped.end = () => destination.end?.();
  return wrapped;
}
