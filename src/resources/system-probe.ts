/**
 * What this machine has: RAM, CPU, GPUs with their memory, and free disk where models
 * live. Real figures come from systeminformation and `nvidia-smi`; tests inject a
 * fixed probe so admission decisions are deterministic.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One GPU and its memory. */
export interface GpuSnapshot {
  /** Position as the driver numbers it. */
  index: number;
  /** Model name, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  /** Vendor, e.g. `NVIDIA`. */
  vendor: string;
  /** GPU memory, bytes. */
  totalVramBytes: number;
  /** Free GPU memory, bytes, when the driver tells (nvidia-smi does; most others do not). */
  freeVramBytes?: number;
  /** Busy share of the GPU, percent, when known. */
  utilizationPercent?: number;
  /** Where the figures come from. */
  source: 'nvidia-smi' | 'systeminformation';
}

/** The machine at one moment. */
export interface SystemSnapshot {
  /** When it was taken, epoch milliseconds. */
  takenAt: number;
  /** Main memory. `availableBytes` counts reclaimable cache, as the kernel's MemAvailable does. */
  memory: { totalBytes: number; availableBytes: number; usedBytes: number };
  /** This process: resident set and JavaScript heap, bytes. */
  process: { rssBytes: number; heapUsedBytes: number };
  /** CPU cores, model, load average over 1 minute and current use in percent. */
  cpu: {
    model: string;
    logicalCores: number;
    physicalCores: number;
    loadAverage1m: number;
    usagePercent?: number;
  };
  /** GPUs found (none on a machine without one). */
  gpus: GpuSnapshot[];
  /** The file system holding the models folder. */
  disk?: { path: string; totalBytes: number; freeBytes: number };
}

/** Takes snapshots of the machine. */
export interface SystemProbe {
  /** The machine now. Never throws for a missing GPU tool or models folder; those parts are left out. */
  snapshot(): Promise<SystemSnapshot>;
}

/** Runs a program and resolves with its standard output (injected in tests). */
export type RunCommand = (file: string, args: string[]) => Promise<string>;

/** Options of {@link createSystemProbe}. */
export interface SystemProbeOptions {
  /** Folder whose file system's free space is reported (the models folder). */
  modelsDir?: string;
  /** Runs `nvidia-smi`; default `child_process.execFile` with a 5-second limit. */
  runCommand?: RunCommand;
  /** How long the slow GPU list from systeminformation is reused, milliseconds (default 60 s). */
  gpuCacheMs?: number;
}

/** Creates the probe of this machine. */
export function createSystemProbe(options: SystemProbeOptions = {}): SystemProbe {
  const runCommand = options.runCommand ?? runWithTimeout;
  const gpuCacheMs = options.gpuCacheMs ?? 60_000;
  let nvidiaSmiMissing = false;
  let cachedGpus: { at: number; gpus: GpuSnapshot[] } | undefined;

  async function gpus(): Promise<GpuSnapshot[]> {
    if (!nvidiaSmiMissing) {
      try {
        return parseNvidiaSmi(
          await runCommand('nvidia-smi', [
            '--query-gpu=index,name,memory.total,memory.free,utilization.gpu',
            '--format=csv,noheader,nounits',
          ]),
        );
      } catch {
        // No NVIDIA driver here: ask systeminformation from now on.
        nvidiaSmiMissing = true;
      }
    }
    if (cachedGpus && Date.now() - cachedGpus.at < gpuCacheMs) return cachedGpus.gpus;
    const si = await loadSystemInformation();
    const { controllers } = await si.graphics().catch(() => ({ controllers: [] }));
    const found = controllers
      .filter((controller) => (controller.memoryTotal ?? controller.vram ?? 0) > 0)
      .map(
        (controller, index): GpuSnapshot => ({
          index,
          name: controller.model || controller.name || 'unknown GPU',
          vendor: controller.vendor,
          // systeminformation reports MiB.
          totalVramBytes: (controller.memoryTotal ?? controller.vram ?? 0) * 2 ** 20,
          ...(controller.memoryFree === undefined
            ? {}
            : { freeVramBytes: controller.memoryFree * 2 ** 20 }),
          source: 'systeminformation',
        }),
      );
    cachedGpus = { at: Date.now(), gpus: found };
    return found;
  }

  return {
    async snapshot() {
      const si = await loadSystemInformation();
      const [memory, cpu, load, gpuList, disk] = await Promise.all([
        si.mem(),
        si.cpu(),
        si.currentLoad().catch(() => undefined),
        gpus(),
        options.modelsDir === undefined ? undefined : diskOf(options.modelsDir),
      ]);
      const usage = process.memoryUsage();
      return {
        takenAt: Date.now(),
        memory: {
          totalBytes: memory.total,
          availableBytes: memory.available,
          usedBytes: memory.total - memory.available,
        },
        process: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed },
        cpu: {
          model: `${cpu.manufacturer} ${cpu.brand}`.trim(),
          logicalCores: cpu.cores || os.availableParallelism(),
          physicalCores: cpu.physicalCores || cpu.cores,
          loadAverage1m: os.loadavg()[0] ?? 0,
          ...(load === undefined ? {} : { usagePercent: Math.round(load.currentLoad * 10) / 10 }),
        },
        gpus: gpuList,
        ...(disk === undefined ? {} : { disk }),
      };
    },
  };
}

/** A probe that always reports the same machine (tests, and what-if estimates). */
export function createFixedProbe(snapshot: SystemSnapshot): SystemProbe {
  return { snapshot: async () => structuredClone({ ...snapshot, takenAt: Date.now() }) };
}

/** Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.free,utilization.gpu` (MiB). */
export function parseNvidiaSmi(output: string): GpuSnapshot[] {
  const gpus: GpuSnapshot[] = [];
  for (const line of output.split('\n')) {
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 4) continue;
    const [index, name, total, free, utilization] = fields;
    const totalMiB = Number(total);
    if (!Number.isFinite(totalMiB)) continue;
    const freeMiB = Number(free);
    const busy = Number(utilization);
    gpus.push({
      index: Number(index),
      name: name ?? 'NVIDIA GPU',
      vendor: 'NVIDIA',
      totalVramBytes: totalMiB * 2 ** 20,
      ...(Number.isFinite(freeMiB) ? { freeVramBytes: freeMiB * 2 ** 20 } : {}),
      ...(Number.isFinite(busy) ? { utilizationPercent: busy } : {}),
      source: 'nvidia-smi',
    });
  }
  return gpus;
}

/** Free and total space of the file system holding `folder` (or its nearest existing parent). */
async function diskOf(
  folder: string,
): Promise<{ path: string; totalBytes: number; freeBytes: number } | undefined> {
  let current = path.resolve(folder);
  for (;;) {
    try {
      const stats = await fs.statfs(current);
      return {
        path: folder,
        totalBytes: stats.blocks * stats.bsize,
        freeBytes: stats.bavail * stats.bsize,
      };
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

type SystemInformation = typeof import('systeminformation');
let systemInformation: Promise<SystemInformation> | undefined;

/** systeminformation is loaded on the first snapshot, not when the gateway starts. */
function loadSystemInformation(): Promise<SystemInformation> {
  systemInformation ??= import('systeminformation').then(
    (module) => (module as { default?: SystemInformation }).default ?? module,
  );
  return systemInformation;
}

function runWithTimeout(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000, encoding: 'utf8' }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}
