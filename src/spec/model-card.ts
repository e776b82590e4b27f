/** What the gateway knows about one model of one provider. Types only. */
export interface ModelCard {
  /** The provider's own id for the model, e.g. `meta-llama/llama-3.1-8b-instruct:free`. */
  id: string;
  /** Id of the configured provider that serves it, e.g. `openrouter`. */
  providerId: string;
  /** Human-readable name, when the provider gives one. */
  name?: string;
  /** Context window in tokens, when known. */
  contextLength?: number;
  /** Who publishes the model, when known. */
  ownedBy?: string;
  /** Unix seconds the provider reports the model was created. */
  created?: number;
  /** What the model is for, in the provider's words. */
  description?: string;
  /** Most tokens one answer may have, when the provider says. */
  maxOutputTokens?: number;
  /** What the model reads: `text`, `image`, `file`, `audio` ... */
  inputModalities?: string[];
  /** What the model writes: `text`, `image` ... */
  outputModalities?: string[];
  /** Prices in USD, when the provider publishes them. */
  pricing?: ModelPricing;
  /** True when calls cost nothing (zero prompt and completion price, or OpenRouter's `:free` variant). */
  isFree?: boolean;
  /** Request parameters the model honours, e.g. `tools`, `response_format`, `temperature`. */
  supportedParameters?: string[];
  /** The date after which the provider may remove the model (ISO 8601 date, e.g. `2025-06-01`). */
  expiresAt?: string;
  /** Size of a local model's weights, in bytes. */
  size?: number;
  /** Quantisation of a local model, e.g. `Q4_K_M`. */
  quantisation?: string;
  /** Parameter count of a local model, e.g. 8_000_000_000. */
  parameterCount?: number;
  /** Memory a local model needs to run, in bytes (estimated). */
  memoryEstimate?: number;
}

/** A model's prices in USD: per token for `prompt` and `completion`, per call for `request`, per image for `image`. */
export interface ModelPricing {
  /** USD per prompt (input) token. */
  prompt?: number;
  /** USD per completion (output) token. */
  completion?: number;
  /** USD per request, on top of tokens. */
  request?: number;
  /** USD per input image. */
  image?: number;
}

/** The outcome of a provider health check. */
export interface HealthReport {
  /** True when the provider answered as expected. */
  ok: boolean;
  /** How long the check took, in milliseconds. */
  latencyMs: number;
  /** Why it is not ok (never contains a secret). */
  message?: string;
}
