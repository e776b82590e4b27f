/** The request log's public types. Types only. */

/**
 * What the gateway records about one chat request. Optional fields default to
 * null. A `RequestRecord` from `spec/` is one of these.
 */
export interface RequestLogEntry {
  /** The gateway's request id; recording the same id twice keeps the first. */
  id: string;
  /** When the request arrived, epoch milliseconds; defaults to the injected clock's now. */
  createdAt?: number;
  /** Configured provider that answered, or null when none was reached. */
  providerId?: string | null;
  /** `<provider>/<model>` that answered, or null when none did. */
  model?: string | null;
  /** The model the client asked for, as it asked. */
  requestedModel: string;
  /** Task profile the client named, if any. */
  task?: string | null;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** HTTP status the gateway answered with. */
  status: number;
  /** Error code of a failed request (also for a stream that failed after a 200). */
  errorCode?: string | null;
  /** Total time to answer, milliseconds. */
  latencyMs: number;
  /** Time to the first streamed token, milliseconds. */
  firstTokenMs?: number | null;
  /** Prompt tokens, when known. */
  promptTokens?: number | null;
  /** Completion tokens, when known. */
  completionTokens?: number | null;
  /** Cost in USD, when known. */
  costUsd?: number | null;
  /** Who asked (API key label, user agent), if known. */
  client?: string | null;
}

/** One logged request as read back: every field present, unknowns null. */
export interface LoggedRequest {
  /** The gateway's request id. */
  id: string;
  /** When the request arrived, epoch milliseconds. */
  createdAt: number;
  /** Configured provider that answered, or null. */
  providerId: string | null;
  /** `<provider>/<model>` that answered, or null. */
  model: string | null;
  /** The model the client asked for. */
  requestedModel: string;
  /** Task profile, or null. */
  task: string | null;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** HTTP status the gateway answered with. */
  status: number;
  /** Error code, or null on success. */
  errorCode: string | null;
  /** Total time to answer, milliseconds. */
  latencyMs: number;
  /** Time to the first streamed token, milliseconds, or null. */
  firstTokenMs: number | null;
  /** Prompt tokens, or null. */
  promptTokens: number | null;
  /** Completion tokens, or null. */
  completionTokens: number | null;
  /** Cost in USD, or null. */
  costUsd: number | null;
  /** Who asked, or null. */
  client: string | null;
}

/** Which recent requests to list. */
export interface RecentQuery {
  /** How many, newest first; default 50, at most 1000. */
  limit?: number;
  /** Only this `<provider>/<model>`. */
  model?: string;
  /** Only requests at or after this epoch-millisecond time. */
  since?: number;
}

/** Totals for one model (null: requests no model answered). */
export interface ModelSummary {
  /** `<provider>/<model>`, or null for requests that no model answered. */
  model: string | null;
  /** Requests logged. */
  requests: number;
  /** Requests with status >= 400 or an error code. */
  errors: number;
  /** Median latency (nearest rank), milliseconds. */
  p50LatencyMs: number;
  /** 95th percentile latency (nearest rank), milliseconds. */
  p95LatencyMs: number;
  /** Mean latency, milliseconds. */
  averageLatencyMs: number;
  /** Sum of known prompt tokens. */
  promptTokens: number;
  /** Sum of known completion tokens. */
  completionTokens: number;
  /** `promptTokens + completionTokens`. */
  totalTokens: number;
  /** Sum of known costs, USD (0 when none is known). */
  costUsd: number;
}

/** Counters of the write side, for metrics and health pages. */
export interface RequestLogStats {
  /** Rows waiting in memory for the next flush. */
  buffered: number;
  /** Rows written since the log was created. */
  written: number;
  /** Rows thrown away: the oldest beyond the buffer bound, or recorded after close. */
  dropped: number;
  /** Flushes that failed (their rows were kept for the next one). */
  failedFlushes: number;
}

/**
 * The request log. `record` is synchronous and only buffers; a background flush
 * writes the buffer in one transaction. Reads flush first, so they see what was
 * recorded before them.
 */
export interface RequestLog {
  /** Buffers one entry. Never throws and never waits on the database. */
  record(entry: RequestLogEntry): void;
  /** Writes everything buffered now. Never rejects: failures go to `onError` and the rows stay. */
  flush(): Promise<void>;
  /** The newest requests first. */
  recent(query?: RecentQuery): Promise<LoggedRequest[]>;
  /** Totals per model, busiest first. */
  summary(query?: { since?: number }): Promise<ModelSummary[]>;
  /** Write-side counters. */
  stats(): RequestLogStats;
  /**
   * Deletes the rows of requests that arrived before `before` (epoch ms), a few thousand per
   * transaction so other writes go on between them; resolves with how many went.
   */
  prune(before: number): Promise<number>;
  /** Flushes, then stops the timer; later `record` calls are counted as dropped. */
  close(): Promise<void>;
}
