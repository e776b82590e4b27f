import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** What a rewrite changed. */
export interface RoutesRewrite {
  /** The new text of the file. */
  text: string;
  /** Routes whose model list changed. */
  routes: string[];
  /** Routes that listed both models: the old one was dropped instead of listing the new one twice. */
  deduplicated: string[];
}

/**
 * The config text with `from` replaced by `to` in every route's `models`. Only the
 * characters of the changed entries are touched, so every other byte of the file (comments,
 * spacing, quoting) stays as it was. Throws when the text is not valid YAML.
 */
export function rewriteRoutesText(text: string, from: string, to: string): RoutesRewrite {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(
      `the config is not valid YAML (${document.errors[0]?.message.split('\n')[0]}); fix it, then migrate again`,
    );
  }
  const result: RoutesRewrite = { text, routes: [], deduplicated: [] };
  const routes = isMap(document.contents) ? document.contents.get('routes', true) : undefined;
  if (!isMap(routes)) return result;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const pair of routes.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const route = pair.value;
    if (!isMap(route)) continue;
    const models = route.get('models', true);
    if (!isSeq(models)) continue;
    const values = models.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
    const at = values.indexOf(from);
    const item = models.items[at];
    if (at < 0 || !isScalar(item) || !item.range) continue;
    const [start, end] = item.range;
    if (values.includes(to)) {
      edits.push(removal(text, start, end, models.flow === true));
      result.deduplicated.push(name);
    } else {
      edits.push({ start, end, text: scalarText(to, text[start]) });
    }
    result.routes.push(name);
  }
  // From the end backwards, so earlier offsets stay valid.
  let rewritten = text;
  for (const edit of edits.sort((left, right) => right.start - left.start))
    rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  result.text = rewritten;
  return result;
}

/** The model name as YAML: plain where that is safe, else in the quotes the old entry used. */
function scalarText(value: string, firstCharacter: string | undefined): string {
  const quote = firstCharacter === "'" || firstCharacter === '"' ? firstCharacter : undefined;
  const plainSafe = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/.test(value) && !value.includes(': ');
  if (quote === "'") return `'${value.replace(/'/g, "''")}'`;
  if (quote === '"' || !plainSafe) return JSON.stringify(value);
  return value;
}

/** The edit that removes one entry of a sequence: its line in a block list, it and a comma in a flow list. */
function removal(
  text: string,
  start: number,
  end: number,
  flow: boolean,
): { start: number; end: number; text: string } {
  if (flow) {
    const after = /^\s*,\s*/.exec(text.slice(end));
    if (after) return { start, end: end + after[0].length, text: '' };
    const before = /\s*,\s*$/.exec(text.slice(0, start));
    return { start: before ? start - before[0].length : start, end, text: '' };
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', end);
  return { start: lineStart, end: newline < 0 ? text.length : newline + 1, text: '' };
}
