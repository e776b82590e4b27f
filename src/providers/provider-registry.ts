/**
 * The one list of provider types. A new provider is one folder and one line here.
 */
import type { Dispatcher } from 'undici';
import type { ProviderConfig } from '../config/config-schema.js';
import type { LocalProviderHooks } from '../spec/local-model.js';
import type { Provider, ProviderType } from '../spec/provider.js';
import { createAnthropic } from './anthropic/anthropic-provider.js';
import { createEmbeddedFromConfig } from './embedded-llama/embedded-llama-provider.js';
import { createOllama } from './ollama/ollama-provider.js';
import { createOpenAICompatible } from './openai-compatible/openai-compatible-provider.js';
import { createOpenRouter } from './openrouter/openrouter-provider.js';

/** I/O shared by every provider the registry builds. */
export interface ProviderDependencies {
  /** Shared connection pool (each provider owns one otherwise). */
  dispatcher?: Dispatcher;
  /** Default models folder of embedded providers (`$TTA_MODELS_HOME/models`). */
  modelsHome?: string;
  /** Admission control, memory pressure and events for local providers. */
  local?: LocalProviderHooks;
}

type ProviderFactory = (config: ProviderConfig, dependencies: ProviderDependencies) => Provider;

const factories: Record<ProviderType, ProviderFactory> = {
  'openai-compatible': (config, dependencies) =>
    createOpenAICompatible({ ...config, ...dependencies, baseUrl: requireBaseUrl(config) }),
  openrouter: (config, dependencies) => createOpenRouter({ ...config, ...dependencies }),
  ollama: (config, dependencies) => createOllama({ ...config, ...dependencies }),
  anthropic: (config, dependencies) => createAnthropic({ ...config, ...dependencies }),
  embedded: (config, dependencies) => createEmbeddedFromConfig(config, dependencies),
};

/** Every provider type, in registry order (the config schema's list). */
export const providerTypes = Object.keys(factories) as [ProviderType, ...ProviderType[]];

/** Builds the provider a config entry describes. Throws for an unusable entry; does no I/O. */
export function createProvider(
  config: ProviderConfig,
  dependencies: ProviderDependencies = {},
): Provider {
  return factories[config.type](config, dependencies);
}

function requireBaseUrl(config: ProviderConfig): string {
  if (config.baseUrl !== undefined) return config.baseUrl;
  throw new Error(
    `provider "${config.id}": type "openai-compatible" needs a baseUrl (e.g. http://127.0.0.1:8080/v1)`,
  );
}
