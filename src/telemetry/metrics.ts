import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus instruments of one gateway; `registry.metrics()` is the `/metrics` body. */
export interface GatewayMetrics {
  /** The registry holding every instrument below plus process defaults. */
  registry: Registry;
  /** Completed chat requests by answering model, stream flag and status. */
  chatRequests: Counter<'model' | 'stream' | 'status'>;
  /** Whole-request latency of chat requests, seconds. */
  chatLatency: Histogram<'model' | 'stream'>;
  /** Time to the first streamed chunk, seconds. */
  firstTokenLatency: Histogram<'model'>;
  /** Tokens by model and kind (prompt, completion). */
  tokens: Counter<'model' | 'kind'>;
  /** Upstream failures by provider and error code. */
  upstreamErrors: Counter<'provider' | 'code'>;
  /** Main memory, bytes, by kind (`total`, `available`), as the resource monitor last sampled it. */
  memoryBytes: Gauge<'kind'>;
  /** GPU memory, bytes, by GPU index and kind (`total`, `free`). */
  gpuMemoryBytes: Gauge<'gpu' | 'kind'>;
  /** Local models in memory, by provider. */
  localModelsLoaded: Gauge<'provider'>;
  /** 1 while available memory is below `resources.pressureThreshold`, else 0. */
  memoryPressure: Gauge;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Creates the instruments in a fresh registry (one per gateway, so tests do not collide). */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tta_models_' });
  const registers = [registry];
  return {
    registry,
    chatRequests: new Counter({
      name: 'tta_models_chat_requests_total',
      help: 'Chat completion requests answered, by model, stream and HTTP status',
      labelNames: ['model', 'stream', 'status'],
      registers,
    }),
    chatLatency: new Histogram({
      name: 'tta_models_chat_duration_seconds',
      help: 'Chat completion latency until the last byte',
      labelNames: ['model', 'stream'],
      buckets: latencyBuckets,
      registers,
    }),
    firstTokenLatency: new Histogram({
      name: 'tta_models_first_token_seconds',
      help: 'Time to the first streamed chunk',
      labelNames: ['model'],
      buckets: latencyBuckets,
      registers,
    }),
    tokens: new Counter({
      name: 'tta_models_tokens_total',
      help: 'Tokens processed, by model and kind (prompt or completion)',
      labelNames: ['model', 'kind'],
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'tta_models_upstream_errors_total',
      help: 'Failed upstream calls, by provider and error code',
      labelNames: ['provider', 'code'],
      registers,
    }),
    memoryBytes: new Gauge({
      name: 'tta_models_memory_bytes',
      help: 'Main memory of the machine, by kind (total, available)',
      labelNames: ['kind'],
      registers,
    }),
    gpuMemoryBytes: new Gauge({
      name: 'tta_models_gpu_memory_bytes',
      help: 'GPU memory, by GPU index and kind (total, free)',
      labelNames: ['gpu', 'kind'],
      registers,
    }),
    localModelsLoaded: new Gauge({
      name: 'tta_models_local_models_loaded',
      help: 'Local models in memory, by provider',
      labelNames: ['provider'],
      registers,
    }),
    memoryPressure: new Gauge({
      name: 'tta_models_memory_pressure',
      help: '1 while available memory is below resources.pressureThreshold',
      registers,
    }),
  };
}
