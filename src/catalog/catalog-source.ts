/**
 * Where each provider's catalog comes from. OpenRouter and Ollama publish richer listings
 * than the OpenAI `/models` shape (prices, modalities, sizes), so the catalog reads those
 * directly; every other provider is listed through its own `listModels()`. Provider types
 * still come from the registry: this only picks the richer listing where one exists.
 */
import type { ProviderConfig } from '../config/config-schema.js';
import { createHttpClient } from '../providers/http-client.js';
import { ollamaBaseUrl } from '../providers/ollama/ollama-provider.js';
import { openRouterBaseUrl } from '../providers/openrouter/openrouter-provider.js';
import type { ModelCard } from '../spec/model-card.js';
import type { Provider } from '../spec/provider.js';
import { parseOllamaTags } from './ollama-models.js';
import { type ParsedCatalog, parseOpenRouterModels } from './openrouter-models.js';

/** How to fetch one provider's catalog, and what kind of catalog it is. */
export interface CatalogSource {
  /** Configured provider id. */
  providerId: string;
  /** Its provider type. */
  type: Provider['type'];
  /** True when its models run on this machine (Ollama, embedded, an OpenAI-compatible server on loopback). */
  local: boolean;
  /**
   * True for a large remote catalog (OpenRouter): synced on a long interval, and a
   * download that shrinks suspiciously is not trusted.
   */
  remote: boolean;
  /** Downloads and reads the catalog. Throws when it cannot (unreachable, error status, garbage). */
  download(signal: AbortSignal): Promise<ParsedCatalog>;
}

/** Options of {@link catalogSourceFor}. */
export interface CatalogSourceOptions {
  /** Longest wait for one download, in milliseconds. */
  timeoutMs: number;
}

/** The catalog source of a provider; `config` is its entry in config.yaml, when it has one. */
export function catalogSourceFor(
  provider: Provider,
  config: ProviderConfig | undefined,
  options: CatalogSourceOptions,
): CatalogSource {
  const providerId = provider.id;
  const base = { providerId, type: provider.type };
  if (provider.type === 'openrouter') {
    const baseUrl = trimSlash(config?.baseUrl ?? openRouterBaseUrl);
    return {
      ...base,
      local: false,
      remote: true,
      // The model list is public: no key is sent, so none can leak into a mirror's logs.
      download: async (signal) =>
        parseOpenRouterModels(
          await getJson(providerId, `${baseUrl}/models`, config?.headers, options, signal),
          providerId,
        ),
    };
  }
  if (provider.type === 'ollama') {
    const root = trimSlash(config?.baseUrl ?? ollamaBaseUrl).replace(/\/v1$/, '');
    const headers = {
      ...config?.headers,
      ...(config?.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
    };
    return {
      ...base,
      local: true,
      remote: false,
      download: async (signal) =>
        parseOllamaTags(
          await getJson(providerId, `${root}/api/tags`, headers, options, signal),
          providerId,
        ),
    };
  }
  const local =
    provider.type === 'embedded' ||
    (provider.type === 'openai-compatible' && isLoopbackUrl(config?.baseUrl));
  return {
    ...base,
    local,
    remote: false,
    download: async (signal) => {
      const cards = await provider.listModels({ signal });
      return {
        entries: cards.map((card) => ({ card: local ? asLocal(card) : card, raw: null })),
        skipped: [],
      };
    },
  };
}

/** True for a URL whose host only this machine can reach. */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** A model served on this machine costs nothing per token. */
function asLocal(card: ModelCard): ModelCard {
  return { ...card, pricing: card.pricing ?? { prompt: 0, completion: 0 }, isFree: true };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

async function getJson(
  providerId: string,
  url: string,
  headers: Record<string, string> | undefined,
  options: CatalogSourceOptions,
  signal: AbortSignal,
): Promise<unknown> {
  const http = createHttpClient({
    providerId,
    headers: () => ({ accept: 'application/json', ...headers }),
    timeoutMs: options.timeoutMs,
  });
  try {
    return await http.getJson(url, { signal });
  } finally {
    await http.close();
  }
}
