import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';
import { createSystemProbe, parseNvidiaSmi } from './system-probe.js';

const MiB = 2 ** 20;

describe('the system probe', () => {
  it('reads GPUs and their free memory from nvidia-smi', async () => {
    const calls: string[][] = [];
    const probe = createSystemProbe({
      runCommand: async (file, args) => {
        calls.push([file, ...args]);
        return '0, NVIDIA H100 80GB HBM3, 81559, 80000, 3\n1, NVIDIA H100 80GB HBM3, 81559, 1024, [N/A]\n';
      },
    });
    const snapshot = await probe.snapshot();
    expect(calls[0]?.[0]).toBe('nvidia-smi');
    expect(snapshot.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        vendor: 'NVIDIA',
        totalVramBytes: 81559 * MiB,
        freeVramBytes: 80000 * MiB,
        utilizationPercent: 3,
        source: 'nvidia-smi',
      },
      {
        index: 1,
        name: 'NVIDIA H100 80GB HBM3',
        vendor: 'NVIDIA',
        totalVramBytes: 81559 * MiB,
        freeVramBytes: 1024 * MiB,
        source: 'nvidia-smi',
      },
    ]);
    expect(snapshot.memory.totalBytes).toBe(os.totalmem());
  });

  it('falls back to systeminformation where nvidia-smi is missing, and asks it only once', async () => {
    let calls = 0;
    const probe = createSystemProbe({
      runCommand: async () => {
        calls += 1;
        throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
      },
    });
    const first = await probe.snapshot();
    await probe.snapshot();
    expect(calls).toBe(1);
    expect(Array.isArray(first.gpus)).toBe(true);
    expect(first.cpu.logicalCores).toBe(os.cpus().length);
    expect(first.process.rssBytes).toBeGreaterThan(0);
  });

  it('ignores lines it cannot read', () => {
    expect(parseNvidiaSmi('No devices were found\n')).toEqual([]);
  });
});

describe('byte sizes', () => {
  it('reads SI, binary and plain sizes, and says what it accepts', () => {
    expect(parseByteSize('6GB')).toBe(6e9);
    expect(parseByteSize('512 MiB')).toBe(512 * MiB);
    expect(parseByteSize('2G')).toBe(2 * 2 ** 30);
    expect(parseByteSize(1024)).toBe(1024);
    expect(() => parseByteSize('lots')).toThrow('write e.g. 6GB');
  });
});
