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
