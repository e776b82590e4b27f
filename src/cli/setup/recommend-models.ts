/**
 * What setup recommends: local models that fit this machine's memory, and the free
 * OpenRouter models best suited to a text adventure (tools, a large model, a long
 * context, no announced retirement). Pure, apart from the default machine reading.
 */
import os from 'node:os';
import type { CatalogItem } from '../../catalog/filter-catalog.js';
import { parameterCountOf } from '../../catalog/free-model-notice.js';

/** This machine, as far as setup needs to know it. */
export interface MachineSummary {
  /** Main memory, bytes. */
  totalRamBytes: number;
  /** Main memory free now, bytes. */
  freeRamBytes: number;
  /** Logical CPU cores. */
  cores: number;
}

/** This machine now, from Node's `os` module. */
export function readMachine(): MachineSummary {
  return { totalRamBytes: os.totalmem(), freeRamBytes: os.freemem(), cores: os.cpus().length };
}

/** A local model to pull with Ollama, and why. */
export interface LocalRecommendation {
  /** The Ollama tag, e.g. `llama3.2:3b`. */
  model: string;
  /** Why it suits this machine. */
  why: string;
}

const gigabyte = 1024 ** 3;

/**
 * Ollama tags that fit the memory: a 4-bit model needs about two thirds of a byte per
 * parameter plus room for its context and the rest of the system, hence these steps.
 */
export function recommendLocalModels(machine: MachineSummary): LocalRecommendation[] {
  const ram = `${(machine.totalRamBytes / gigabyte).toFixed(0)} GB of memory`;
  if (machine.totalRamBytes >= 15 * gigabyte) {
    return [
      { model: 'llama3.1:8b', why: `8B, about 5 GB: fits ${ram} with room to spare` },
      { model: 'qwen2.5:7b', why: `7B, about 4.7 GB: strong at following instructions` },
    ];
  }
  if (machine.totalRamBytes >= 7 * gigabyte) {
    return [
      { model: 'llama3.2:3b', why: `3B, about 2 GB: the largest that runs well in ${ram}` },
      { model: 'qwen2.5:3b', why: '3B, about 1.9 GB' },
    ];
  }
  return [
    { model: 'llama3.2:1b', why: `1B, about 1.3 GB: small enough for ${ram}` },
    { model: 'qwen2.5:0.5b', why: '0.5B, about 0.4 GB: the smallest that still converses' },
  ];
}

/**
 * The free remote models to suggest, best first: text out, tool calling, the most
 * parameters, the longest context; models with an announced retirement last.
 */
export function recommendFreeModels(items: readonly CatalogItem[], count = 5): CatalogItem[] {
  const candidates = items.filter(
    (item) =>
      item.isFree &&
      !item.local &&
      (item.outputModalities === undefined || item.outputModalities.includes('text')) &&
      (item.contextLength ?? 0) >= 8_192,
  );
  const score = (item: CatalogItem) => [
    item.expiresAt === undefined ? 0 : 1,
    item.supportedParameters?.includes('tools') ? 0 : 1,
    -(parameterCountOf(item) ?? 0),
    -(item.contextLength ?? 0),
  ];
  return candidates
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((left, right) => {
      for (let position = 0; position < left.score.length; position += 1) {
        const difference = (left.score[position] ?? 0) - (right.score[position] ?? 0);
        if (difference !== 0) return difference;
      }
      return left.index - right.index;
    })
    .slice(0, count)
    .map(({ item }) => item);
}
