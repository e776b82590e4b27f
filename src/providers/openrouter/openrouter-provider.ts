/**
 * OpenRouter: the OpenAI-compatible core with OpenRouter's base URL and attribution
 * headers. Its model list already carries `name` and `context_length`, which the core reads.
 */
import type { Provider } from '../../spec/provider.js';
import {
  createOpenAICompatible,
  type ProviderSettings,
} from '../openai-compatible/openai-compatible-provider.js';

/** OpenRouter's API. */
export const openRouterBaseUrl = 'https://openrouter.ai/api/v1';

/** Options of {@link createOpenRouter}. */
export interface OpenRouterOptions extends ProviderSettings {
  /** Sent as `X-Title`, naming the app in OpenRouter's rankings (default `tta-models`). */
  appName?: string;
  /** Sent as `HTTP-Referer`, the app's URL, when given. */
  appUrl?: string;
}

/** Creates an OpenRouter provider. */
export function createOpenRouter(options: OpenRouterOptions): Provider {
  const attribution: Record<string, string> = { 'X-Title': options.appName ?? 'tta-models' };
  if (options.appUrl !== undefined) attribution['HTTP-Referer'] = options.appUrl;
  return createOpenAICompatible({
    ...options,
    type: 'openrouter',
    baseUrl: options.baseUrl ?? openRouterBaseUrl,
    headers: { ...attribution, ...options.headers },
  });
}
