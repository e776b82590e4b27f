/** One finished chat request, as recorded for history, metrics and selection. Types only. */
export interface RequestRecord {
  /** The request id (also sent back as `x-request-id`). */
  id: string;
  /** When the request arrived, epoch milliseconds. */
  createdAt: number;
  /** Provider that answered (or failed to); null when the request was refused before any model was chosen. */
  providerId: string | null;
  /** Public name of the model that answered, `<providerId>/<modelId>`; null when none was chosen. */
  model: string | null;
  /** The model name the client asked for. */
  requestedModel: string;
  /** Therapeutic task, when the client said. */
  task: string | null;
  /** Streamed or not. */
  stream: boolean;
  /** HTTP status answered (499 when the client went away). */
  status: number;
  /** Error code when it failed. */
  errorCode: string | null;
  /** Time until the last byte, milliseconds. */
  latencyMs: number;
  /** Time to the first streamed chunk, milliseconds. */
  firstTokenMs: number | null;
  /** Prompt tokens, when reported. */
  promptTokens: number | null;
  /** Completion tokens, when reported. */
  completionTokens: number | null;
  /** Cost in USD, when reported. */
  costUsd: number | null;
}
