/** A `${NAME}` or `${NAME:-default}` reference that could not be resolved. */
export interface MissingVariable {
  /** Where in the document it was, e.g. `providers[1].apiKey`. */
  path: string;
  /** The variable name. */
  name: string;
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML
 * document. `$${...}` stays literal. Unset variables without a default are
 * collected, not thrown, so one error can list them all.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  missing: MissingVariable[] = [],
  at = '',
): unknown {
  if (typeof value === 'string') {
    return value
      .replace(reference, (match, name: string, fallback: string | undefined, offset: number) => {
        if (offset > 0 && value[offset - 1] === '$') return match;
        const resolved = env[name];
        if (resolved !== undefined && resolved !== '') return resolved;
        if (fallback !== undefined) return fallback;
        missing.push({ path: at || '(root)', name });
        return '';
      })
      .replace(/\$\$\{/g, '${');
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateEnv(item, env, missing, `${at}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateEnv(item, env, missing, at ? `${at}.${key}` : key),
      ]),
    );
  }
  return value;
}
