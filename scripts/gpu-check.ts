/**
 * What the system probe sees on this machine, and what the embedded provider would
 * need for a generated model fully offloaded to the GPU, as one JSON document on stdout.
 * Run by scripts/gpu-check.sh on a machine with nvidia-smi.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGgufModel } from '../src/providers/embedded-llama/gguf-estimate.js';
import { createLlamaRuntime } from '../src/providers/embedded-llama/llama-runtime.js';
import { availability, shortfallsOf } from '../src/resources/admission-control.js';
import { createSystemProbe } from '../src/resources/system-probe.js';
import { writeTinyGguf } from '../testkit/tiny-gguf.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-gpu-check-'));
try {
  const snapshot = await createSystemProbe({ modelsDir: folder }).snapshot();
  const file = path.join(folder, 'tiny.gguf');
  writeTinyGguf(file, { embeddingLength: 256, blockCount: 4, contextLength: 4096 });
  const model = await readGgufModel(file);
  const need = await model.estimate({
    contextSize: 4096,
    gpuLayers: model.facts.totalLayers,
    sequences: 1,
  });
  const have = availability(snapshot, { safetyMargin: '10%' }, 0);
  // Start llama.cpp with the GPU allowed, and load the model fully offloaded.
  const runtime = createLlamaRuntime({ gpu: 'auto' });
  let llamaCpp: Record<string, unknown>;
  try {
    const llama = await runtime.llama();
    const loaded = await llama.loadModel({ modelPath: file, gpuLayers: 'max' });
    llamaCpp = {
      gpu: llama.gpu,
      vram: await llama.getVramState(),
      gpuDeviceNames: await llama.getGpuDeviceNames(),
      offloadedLayers: loaded.gpuLayers,
    };
    await loaded.dispose();
  } catch (error) {
    llamaCpp = { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await runtime.dispose();
  }
  const fits = shortfallsOf(need, have);
  process.stdout.write(
    `${JSON.stringify({ snapshot, estimate: { facts: model.facts, need }, available: have, fits: fits.length === 0, shortfalls: fits, llamaCpp }, null, 2)}\n`,
  );
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
