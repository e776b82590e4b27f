import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { configSchema, type GatewayConfig } from './config-schema.js';
import { interpolateEnv, type MissingVariable } from './interpolate-env.js';

/** A validated configuration and the file it came from. */
export interface LoadedConfig {
  /** The configuration, with defaults filled in and `${VARS}` resolved. */
  config: GatewayConfig;
  /** Absolute path of the file read. */
  file: string;
}

/**
 * Reads, interpolates and validates a `config.yaml`. Throws `ConfigError` listing
 * every problem with its path in the file.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(absolute, [`cannot read it: ${reason}`]);
  }
  return { config: parseConfig(text, absolute, env), file: absolute };
}

/** Parses and validates configuration text; `file` only names the source in errors. */
export function parseConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => `YAML syntax: ${error.message.split('\n')[0]}`),
    );
  }
  let plain: unknown;
  try {
    // A small alias budget: a config never needs many, and "billion laughs" files must not expand.
    plain = document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    throw new ConfigError(file, [
      `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const missing: MissingVariable[] = [];
  let raw: unknown;
  try {
    raw = interpolateEnv(plain, env, missing);
  } catch (error) {
    // Only a self-referencing document (an alias inside its own anchor) recurses without end.
    if (!(error instanceof RangeError)) throw error;
    throw new ConfigError(file, [
      'YAML refers to itself (an alias inside its own anchor); write the values out',
    ]);
  }
  if (missing.length > 0) {
    throw new ConfigError(
      file,
      missing.map(
        (variable) =>
          `${variable.path}: environment variable ${variable.name} is not set (export it, or write \${${variable.name}:-default})`,
      ),
    );
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, parsed.error.issues.map(describeIssue));
  const unknownProviders = findUnknownRouteProviders(parsed.data);
  if (unknownProviders.length > 0) throw new ConfigError(file, unknownProviders);
  const duplicates = findDuplicateIds(parsed.data);
  if (duplicates.length > 0) {
    throw new ConfigError(
      file,
      duplicates.map(
        (id) => `providers: the id "${id}" is used twice; each provider needs its own id`,
      ),
    );
  }
  return parsed.data;
}

/** Route members must name a configured provider: a typo should fail at start, not mid-story. */
function findUnknownRouteProviders(config: GatewayConfig): string[] {
  const ids = new Set(config.providers.map((provider) => provider.id));
  return Object.entries(config.routes).flatMap(([name, route]) =>
    route.models.flatMap((model, index) => {
      const providerId = model.slice(0, model.indexOf('/'));
      return ids.has(providerId)
        ? []
        : [
            `routes.${name}.models[${index}]: no provider "${providerId}" is configured (providers: ${[...ids].join(', ') || 'none'})`,
          ];
    }),
  );
}

function findDuplicateIds(config: GatewayConfig): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const provider of config.providers) {
    if (seen.has(provider.id)) duplicates.add(provider.id);
    seen.add(provider.id);
  }
  return [...duplicates];
}

/** `providers[0].type: expected one of ...` — a zod issue as a reader wants it. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text ? `${text}.${String(segment)}` : String(segment);
  }, '');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_value')
    message = `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(' | ')}`;
  return `${where || '(root)'}: ${message}`;
}
