import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const requirementsSchema = z.strictObject({
  /** Tokens the model must accept. */
  minContext: z.number().int().positive().optional(),
  /** Parameters the model must support, e.g. `tools`, `response_format`. */
  needs: z.array(z.string().min(1)).optional(),
  /** Input modalities needed, e.g. `image`. */
  modalities: z.array(z.string().min(1)).optional(),
  /** Highest acceptable p95 latency (live traffic, else benchmarks), ms. */
  maxLatencyMs: z.number().int().positive().optional(),
  /** Highest acceptable price, USD per million completion tokens. */
  maxPricePerMillion: z.number().nonnegative().optional(),
  /** `critical`: only models whose safety benchmark passes the operator's threshold. */
  safety: z.enum(['critical', 'standard']).optional(),
  /** `local`: the text may not leave this machine. */
  privacy: z.enum(['local', 'any']).optional(),
});

const weightsSchema = z.strictObject({
  quality: z.number().min(0).max(1),
  latency: z.number().min(0).max(1),
  cost: z.number().min(0).max(1),
});

/** One task's needs and priorities. */
export const taskProfileSchema = z.strictObject({
  description: z.string().optional(),
  requirements: requirementsSchema.prefault({}),
  weights: weightsSchema.prefault({ quality: 0.5, latency: 0.25, cost: 0.25 }),
});

const profilesFileSchema = z.strictObject({
  version: z.literal(1),
  tasks: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, 'task names are lower_snake_case'),
    taskProfileSchema,
  ),
});

export type TaskProfile = z.infer<typeof taskProfileSchema> & { name: string };
export type TaskRequirements = z.infer<typeof requirementsSchema>;

/** The task profiles shipped with tta-models. */
export const defaultProfilesFile = new URL('../../data/task-profiles.yaml', import.meta.url);

/**
 * Reads task profiles: the shipped file, then the operator's overrides and additions
 * (a task named in both is replaced whole by the operator's). Errors name the file.
 */
export function loadTaskProfiles(
  overrides: Record<string, unknown> = {},
  file: URL | string = defaultProfilesFile,
): Map<string, TaskProfile> {
  const parsed = profilesFileSchema.safeParse(parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Task profiles in ${String(file)} are invalid: ${problems}`);
  }
  const profiles = new Map<string, TaskProfile>();
  for (const [name, profile] of Object.entries(parsed.data.tasks))
    profiles.set(name, { name, ...profile });
  for (const [name, raw] of Object.entries(overrides)) {
    const profile = taskProfileSchema.safeParse(raw);
    if (!profile.success) {
      const problems = profile.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      throw new Error(`selection.tasks.${name} in config.yaml is invalid: ${problems}`);
    }
    profiles.set(name, { name, ...profile.data });
  }
  return profiles;
}
