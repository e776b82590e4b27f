#!/usr/bin/env bash
# Prints what tta-models' system probe sees on a GPU machine (RAM, CPU, GPUs with free
# VRAM from nvidia-smi, disk) and the estimate for a generated GGUF fully offloaded to
# the GPU, then whether llama.cpp (node-llama-cpp's prebuilt CUDA/Vulkan binary) loads
# it there. Needs the installed node_modules (npm ci) in the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== nvidia-smi" >&2
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,memory.total,memory.free,utilization.gpu --format=csv >&2
else
  echo "nvidia-smi not found: the probe falls back to systeminformation" >&2
fi
if [ ! -d node_modules/node-llama-cpp ]; then
  echo "node_modules is missing: run npm ci first" >&2
  exit 1
fi
echo "== probe and estimate (JSON on stdout)" >&2
exec node --import tsx scripts/gpu-check.ts
