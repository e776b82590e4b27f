import { describe, expect, it } from 'vitest';
import { jsonOf, rememberRawJson } from './raw-json.js';

describe('raw JSON of relayed objects', () => {
  it('gives back the text an object was parsed from, else serialises it', () => {
    const text = '{"id":"c1", "choices":[{"delta":{"content":"caf\\u00e9"}}]}';
    const parsed = rememberRawJson(JSON.parse(text) as object, text);
    expect(jsonOf(parsed)).toBe(text);
    // A changed chunk is a new object: it has no text of its own.
    const changed = { ...parsed, id: 'c2' };
    expect(jsonOf(changed)).toBe(JSON.stringify(changed));
  });
});
