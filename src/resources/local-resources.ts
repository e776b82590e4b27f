/**
 * Everything about the machine and its local models, wired together for a gateway:
 * the probe, admission control, the monitor, the hooks local providers get, the
 * pressure response (unload idle models, load new ones with a smaller context) and
 * the incident log that says what was done.
 */
import type {
  LoadedLocalModel,
  LocalModelInfo,
  LocalProvider,
  LocalProviderHooks,
} from '../spec/local-model.js';
import type { Provider } from '../spec/provider.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import {
  type AdmissionControl,
  availability,
  createAdmissionControl,
  type MemoryAvailability,
  shortfallsOf,
} from './admission-control.js';
import { formatBytes } from './byte-size.js';
import { InsufficientResourcesError } from './insufficient-resources-error.js';
import {
  createResourceMonitor,
  type MonitorTimers,
  type ResourceMonitor,
  type ResourceSample,
} from './resource-monitor.js';
import { parseByteAmount, type ResourcesConfig } from './resources-config.js';
import type { SystemProbe, SystemSnapshot } from './system-probe.js';

/** Something the gateway did about resources, kept for the report and logged. */
export interface ResourceIncident {
  /** Epoch milliseconds. */
  at: number;
  kind: 'memory_pressure' | 'memory_recovered' | 'load_refused';
  /** What happened and what was done, in a sentence. */
  message: string;
  /** Models unloaded, `<provider>/<model>`. */
  unloaded?: string[];
}

/** The machine and its local models now, for `GET /api/resources` and `tta-models resources`. */
export interface ResourceReport {
  snapshot: SystemSnapshot;
  /** What a new local model may use. */
  available: MemoryAvailability;
  /** Local models in memory. */
  loaded: LoadedLocalModel[];
  /** Available memory below which idle models are unloaded, bytes. */
  pressureThresholdBytes: number;
  /** True while memory is short. */
  underPressure: boolean;
  /** The latest incidents, newest last. */
  incidents: ResourceIncident[];
}

/** One local model with its verdict on this machine. */
export interface LocalModelReport extends LocalModelInfo {
  /** `<provider>/<model>`. */
  name: string;
  /** Whether it fits now; `unknown` when its needs could not be estimated. */
  fits: 'yes' | 'no' | 'unknown';
  /** Why not, when it does not. */
  shortfalls: string[];
}

/** Options of {@link createLocalResources}. */
export interface LocalResourcesOptions {
  config: ResourcesConfig;
  probe: SystemProbe;
  /** The gateway's providers (read late: they are built after the hooks). */
  providers(): readonly Provider[];
  /** Models of cloud providers for recommendations, `<provider>/<model>`. */
  cloudModels?(): Promise<string[]>;
  metrics?: GatewayMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  timers?: MonitorTimers;
}

/** Whether a provider runs models on this machine. */
export function isLocalProvider(provider: Provider): provider is LocalProvider {
  const local = (provider as Partial<LocalProvider>).local;
  return typeof local === 'object' && local !== null;
}

/** Wires probe, admission, monitor and pressure response. */
export function createLocalResources(options: LocalResourcesOptions) {
  const { config, probe, logger } = options;
  const incidents: ResourceIncident[] = [];
  let underPressure = false;
  const localProviders = () => options.providers().filter(isLocalProvider);

  async function loaded(): Promise<LoadedLocalModel[]> {
    const lists = await Promise.all(
      localProviders().map((provider) =>
        provider.local.loadedModels({ signal: AbortSignal.timeout(5_000) }).catch(() => []),
      ),
    );
    return lists.flat();
  }

  async function localModels(): Promise<LocalModelInfo[]> {
    const lists = await Promise.all(
      localProviders().map((provider) =>
        provider.local.listLocalModels({ signal: AbortSignal.timeout(10_000) }).catch(() => []),
      ),
    );
    return lists.flat();
  }

  const loadedRamBytes = async () =>
    (await loaded()).reduce(
      (sum, model) => sum + (model.sizeBytes ?? 0) - (model.vramBytes ?? 0),
      0,
    );

  const admission: AdmissionControl = createAdmissionControl({
    probe,
    config,
    loadedLocalBytes: loadedRamBytes,
    localModels,
    ...(options.cloudModels ? { cloudModels: options.cloudModels } : {}),
  });

  function record(incident: Omit<ResourceIncident, 'at'>): void {
    incidents.push({ at: Date.now(), ...incident });
    if (incidents.length > 50) incidents.shift();
  }

  const thresholdBytes = (snapshot: SystemSnapshot) =>
    parseByteAmount(config.pressureThreshold, snapshot.memory.totalBytes) ?? 0;

  const monitor: ResourceMonitor = createResourceMonitor({
    probe,
    intervalMs: config.monitorIntervalSeconds * 1000,
    thresholdBytes,
    loaded,
    onError: (error) => logger.warn({ err: error }, 'resource sample failed'),
    ...(options.timers ? { timers: options.timers } : {}),
  });

  monitor.subscribe((sample) => updateMetrics(sample));
  monitor.subscribe((sample) => respondToPressure(sample));

  function updateMetrics(sample: ResourceSample): void {
    const { metrics } = options;
    if (!metrics) return;
    metrics.memoryBytes.set({ kind: 'total' }, sample.snapshot.memory.totalBytes);
    metrics.memoryBytes.set({ kind: 'available' }, sample.snapshot.memory.availableBytes);
    for (const gpu of sample.snapshot.gpus) {
      metrics.gpuMemoryBytes.set({ gpu: String(gpu.index), kind: 'total' }, gpu.totalVramBytes);
      if (gpu.freeVramBytes !== undefined)
        metrics.gpuMemoryBytes.set({ gpu: String(gpu.index), kind: 'free' }, gpu.freeVramBytes);
    }
    for (const provider of localProviders()) {
      const count = sample.loaded.filter((model) => model.providerId === provider.id).length;
      metrics.localModelsLoaded.set({ provider: provider.id }, count);
    }
    metrics.memoryPressure.set(sample.underPressure ? 1 : 0);
  }

  /** Short of memory: unload idle local models, and load new ones with a smaller context. */
  async function respondToPressure(sample: ResourceSample): Promise<void> {
    const available = formatBytes(sample.snapshot.memory.availableBytes);
    const threshold = formatBytes(sample.thresholdBytes);
    if (!sample.underPressure) {
      if (underPressure) {
        underPressure = false;
        const message = `memory recovered: ${available} available (threshold ${threshold}); local models load with their configured context again`;
        record({ kind: 'memory_recovered', message });
        logger.info({ incident: 'memory_recovered' }, message);
      }
      return;
    }
    const unloaded: string[] = [];
    for (const provider of localProviders()) {
      const ids = await provider.local.unloadIdle().catch(() => []);
      unloaded.push(...ids.map((id) => `${provider.id}/${id}`));
    }
    if (underPressure && unloaded.length === 0) return;
    underPressure = true;
    const did =
      unloaded.length > 0
        ? `unloaded idle models ${unloaded.join(', ')}`
        : 'no idle model to unload';
    const message = `memory pressure: ${available} available, below the ${threshold} threshold (resources.pressureThreshold); ${did}; new embedded loads use a context of at most ${config.pressureContextSize} tokens`;
    record({ kind: 'memory_pressure', message, unloaded });
    logger.warn(
      {
        incident: 'memory_pressure',
        availableBytes: sample.snapshot.memory.availableBytes,
        thresholdBytes: sample.thresholdBytes,
        unloaded,
      },
      message,
    );
  }

  /** The hooks every local provider gets. */
  const hooks: LocalProviderHooks = {
    async admit(request) {
      try {
        await admission.admit(request);
      } catch (error) {
        if (error instanceof InsufficientResourcesError) {
          record({ kind: 'load_refused', message: error.message });
          logger.warn({ incident: 'load_refused', model: error.decision.model }, error.message);
        }
        throw error;
      }
    },
    contextSizeFor: (configured) =>
      underPressure ? Math.min(configured, config.pressureContextSize) : configured,
    freeVramBytes: async () => {
      const snapshot = monitor.latest?.snapshot ?? (await probe.snapshot());
      return snapshot.gpus.reduce((sum, gpu) => sum + (gpu.freeVramBytes ?? gpu.totalVramBytes), 0);
    },
    onEvent(event) {
      const model = `${event.providerId}/${event.modelId}`;
      const size = formatBytes(event.need.ramBytes + event.need.vramBytes);
      const message =
        event.kind === 'loaded'
          ? `loaded ${model} (${size}, context ${event.need.contextSize}, ${event.need.gpuLayers} GPU layers)`
          : `unloaded ${model} (${event.reason ?? 'requested'}), freeing about ${size}`;
      logger.info({ model, event: event.kind, reason: event.reason }, message);
      // Memory changed: sample now, so the feed and the metrics show it.
      if (localProviders().length > 0) void monitor.sample().catch(() => undefined);
    },
    log: (level, message) =>
      logger[level === 'error' ? 'warn' : 'info']({ runtime: 'llama.cpp' }, message),
  };

  return {
    probe,
    admission,
    monitor,
    hooks,
    /** The machine, the loaded models, the thresholds and the incidents. */
    async report(): Promise<ResourceReport> {
      const sample = await monitor.sample();
      const ramHeld = sample.loaded.reduce(
        (sum, model) => sum + (model.sizeBytes ?? 0) - (model.vramBytes ?? 0),
        0,
      );
      return {
        snapshot: sample.snapshot,
        available: availability(sample.snapshot, config, ramHeld),
        loaded: sample.loaded,
        pressureThresholdBytes: sample.thresholdBytes,
        underPressure: sample.underPressure,
        incidents: [...incidents],
      };
    },
    /** Every local model with what it needs beside what the machine has. */
    async localModels(): Promise<LocalModelReport[]> {
      // Selection asks on the request path; without local providers there is nothing to
      // judge, and probing the machine would spawn processes and load systeminformation.
      if (localProviders().length === 0) return [];
      const [models, snapshot, ramHeld] = await Promise.all([
        localModels(),
        probe.snapshot(),
        loadedRamBytes(),
      ]);
      const have = availability(snapshot, config, ramHeld);
      return models.map((model): LocalModelReport => {
        const name = `${model.providerId}/${model.id}`;
        if (!model.need) return { ...model, name, fits: 'unknown', shortfalls: [] };
        // A loaded model is in memory already: it fits by definition.
        const shortfalls = model.loaded ? [] : shortfallsOf(model.need, have);
        return { ...model, name, fits: shortfalls.length === 0 ? 'yes' : 'no', shortfalls };
      });
    },
    /** Incidents so far, newest last. */
    incidents: (): ResourceIncident[] => [...incidents],
    /** True while memory is short. */
    get underPressure(): boolean {
      return underPressure;
    },
    /** Stops the monitor. */
    close(): void {
      monitor.stop();
    },
  };
}

/** A gateway's local resources. */
export type LocalResources = ReturnType<typeof createLocalResources>;
