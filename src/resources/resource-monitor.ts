/**
 * Samples the machine on an interval while the gateway runs: free memory, GPU memory,
 * this process's RSS and the local models loaded. Each sample goes to listeners (the
 * metrics, the live feed, the pressure handler).
 */
import type { LoadedLocalModel } from '../spec/local-model.js';
import type { SystemProbe, SystemSnapshot } from './system-probe.js';

/** One sample. */
export interface ResourceSample {
  snapshot: SystemSnapshot;
  /** Local models in memory. */
  loaded: LoadedLocalModel[];
  /** Available memory below which the machine counts as short, bytes. */
  thresholdBytes: number;
  /** True when available memory is below the threshold. */
  underPressure: boolean;
}

/** Interval timers, injected in tests. */
export interface MonitorTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of {@link createResourceMonitor}. */
export interface ResourceMonitorOptions {
  probe: SystemProbe;
  /** Milliseconds between samples. */
  intervalMs: number;
  /** The pressure threshold for a snapshot, bytes of available memory. */
  thresholdBytes(snapshot: SystemSnapshot): number;
  /** Local models in memory now. */
  loaded(): Promise<LoadedLocalModel[]>;
  /** Told of a sample failure (the monitor goes on). */
  onError?: (error: unknown) => void;
  timers?: MonitorTimers;
}

/** Creates a monitor; it samples only between `start()` and `stop()`, or when asked. */
export function createResourceMonitor(options: ResourceMonitorOptions) {
  const timers: MonitorTimers = options.timers ?? {
    setInterval: (callback, ms) => setInterval(callback, ms).unref(),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  };
  const listeners = new Set<(sample: ResourceSample) => void | Promise<void>>();
  let handle: unknown;
  let latest: ResourceSample | undefined;
  let inFlight: Promise<ResourceSample> | undefined;

  async function takeSample(): Promise<ResourceSample> {
    const [snapshot, loaded] = await Promise.all([options.probe.snapshot(), options.loaded()]);
    const thresholdBytes = options.thresholdBytes(snapshot);
    const sample = {
      snapshot,
      loaded,
      thresholdBytes,
      underPressure: snapshot.memory.availableBytes < thresholdBytes,
    };
    latest = sample;
    for (const listener of [...listeners]) {
      try {
        await listener(sample);
      } catch (error) {
        options.onError?.(error);
      }
    }
    return sample;
  }

  function sample(): Promise<ResourceSample> {
    inFlight ??= takeSample().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    /** Takes a sample now and tells the listeners (concurrent calls share one sample). */
    sample,
    /** The last sample, if any. */
    get latest(): ResourceSample | undefined {
      return latest;
    },
    /** Calls `listener` with every sample until the returned function is called. */
    subscribe(listener: (sample: ResourceSample) => void | Promise<void>): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Starts sampling on the interval (idempotent). */
    start(): void {
      if (handle !== undefined) return;
      handle = timers.setInterval(() => {
        sample().catch((error: unknown) => options.onError?.(error));
      }, options.intervalMs);
    },
    /** Stops sampling. */
    stop(): void {
      if (handle !== undefined) timers.clearInterval(handle);
      handle = undefined;
    },
  };
}

/** A gateway's resource monitor. */
export type ResourceMonitor = ReturnType<typeof createResourceMonitor>;
