import { z } from 'zod';
import { providerTypes } from '../providers/provider-registry.js';

/** Provider ids become the first segment of model names, so keep them URL- and path-safe. */
const providerId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'use lower-case letters, digits, "-" or "_" (e.g. "openrouter", "local")',
  );

/** One configured upstream provider. */
export const providerConfigSchema = z
  .strictObject({
    id: providerId,
    // The registry is the one list of provider types.
    type: z.enum(providerTypes),
    /** Upstream base URL; each type has a default (OpenRouter's, Ollama's local port, ...). */
    baseUrl: z.url().optional(),
    /** Provider API key; write `${ENV_VAR}` to keep it out of the file. */
    // An empty value (`${OPENROUTER_API_KEY:-}` with the variable unset) means no key.
    apiKey: z.preprocess((key) => (key === '' ? undefined : key), z.string().optional()),
    /** Model ids, for providers that cannot list their own (or to restrict the list). */
    models: z.array(z.string().min(1)).optional(),
    /** Extra headers sent with every upstream request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Upstream request timeout in milliseconds (whole non-streamed call, or time to first byte). */
    timeoutMs: z.number().int().positive().optional(),
  })
  .refine((provider) => provider.type !== 'openai-compatible' || provider.baseUrl !== undefined, {
    message: 'an openai-compatible provider needs a baseUrl (e.g. http://127.0.0.1:8080/v1)',
    path: ['baseUrl'],
  });

/** The whole `config.yaml`. Every field has a default, so an empty file is valid. */
export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8787),
      /** Largest request body accepted, in bytes. */
      bodyLimitBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Bearer tokens that may call the data plane (`/v1/*`). Empty: open, loopback only. */
      apiKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  providers: z.array(providerConfigSchema).default([]),
});

export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type GatewayConfig = z.infer<typeof configSchema>;
