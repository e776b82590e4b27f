/**
 * The JSON text an object was parsed from, kept beside it so that a chunk relayed untouched
 * is written as the upstream sent it instead of being serialised again. Objects are only
 * ever read on the way through; one that is changed is a new object, which has no text.
 */

const texts = new WeakMap<object, string>();

/** Remembers that `value` was parsed from `text` (and must not be changed afterwards). */
export function rememberRawJson<T extends object>(value: T, text: string): T {
  texts.set(value, text);
  return value;
}

/** The JSON of `value`: the text it was parsed from, else `JSON.stringify(value)`. */
export function jsonOf(value: object): string {
  return texts.get(value) ?? JSON.stringify(value);
}
