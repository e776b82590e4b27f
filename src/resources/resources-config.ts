/** The `resources:` section of `config.yaml`: limits for local models and the memory watch. */
import { z } from 'zod';
import { parseByteSize } from './byte-size.js';

/** A byte size (`6GB`, `512MiB`, a number of bytes) or a share of total memory (`10%`). */
export const byteAmount = z
  .union([z.number().nonnegative(), z.string()])
  .refine((value) => parseByteAmount(value, 1) !== undefined, {
    message: 'write a size such as 6GB, 512MiB or 1073741824, or a share such as 10%',
  });

/** Bytes meant by a {@link byteAmount}, a share taken of `totalBytes`; undefined when unreadable. */
export function parseByteAmount(value: string | number, totalBytes: number): number | undefined {
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(value))
    return Math.floor((Number.parseFloat(value) / 100) * totalBytes);
  try {
    return parseByteSize(value);
  } catch {
    return undefined;
  }
}

/** `resources:` in config.yaml. */
export const resourcesConfigSchema = z.strictObject({
  /** Most memory all local models together may hold (e.g. `6GB`); unset: what the machine has. */
  memoryBudget: byteAmount.optional(),
  /** Memory always left free when admitting a model (default `10%` of RAM). */
  safetyMargin: byteAmount.default('10%'),
  /** Free RAM below which idle local models are unloaded and new ones load smaller (default `10%`). */
  pressureThreshold: byteAmount.default('10%'),
  /** Context size new embedded loads use while memory is short (default 2048). */
  pressureContextSize: z.number().int().min(64).default(2048),
  /** Seconds between memory samples (default 10). */
  monitorIntervalSeconds: z.number().positive().default(10),
});

/** The parsed `resources:` section. */
export type ResourcesConfig = z.infer<typeof resourcesConfigSchema>;
