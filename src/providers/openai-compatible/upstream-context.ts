import type { HttpClient } from '../http-client.js';

/** What a chat model, or a variant's hook, needs to talk to its upstream. */
export interface UpstreamContext {
  /** Configured provider id, for error messages. */
  readonly providerId: string;
  /** Upstream base URL without a trailing slash. */
  readonly baseUrl: string;
  /** The provider's HTTP client (auth headers, pool, timeouts, error mapping). */
  readonly http: HttpClient;
}
