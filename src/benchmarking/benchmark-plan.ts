/**
 * A run's plan: which models answer which scenarios, judged by whom, how many at
 * once. Stored whole with the run, so a resume does exactly the same work even if
 * the suite files changed since.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../spec/index.js';
import { checkSchema, type Scenario } from './scenario-schema.js';

/** A scenario as stored in a plan (defaults already applied). */
const storedScenarioSchema = z.object({
  id: z.string(),
  title: z.string(),
  category: z.string().optional(),
  suite: z.string(),
  suiteVersion: z.number().int(),
  task: z.string(),
  safety: z.boolean(),
  messages: z.array(
    z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }),
  ),
  responseFormat: z.enum(['text', 'json']),
  maxTokens: z.number().int().positive(),
  temperature: z.number(),
  checks: z.array(checkSchema),
  rubric: z.array(z.string()),
});

/** The stored plan's schema (version 1). */
const planSchema = z.object({
  version: z.literal(1),
  models: z.array(z.string().min(1)).min(1),
  scenarios: z.array(storedScenarioSchema).min(1),
  judge: z.string().nullable(),
  concurrency: z.number().int().positive(),
  retries: z.number().int().nonnegative(),
});

/** What a run does. */
export interface BenchmarkPlan {
  version: 1;
  /** Models to benchmark, `<providerId>/<modelId>` or `route:<name>`. */
  models: string[];
  scenarios: Scenario[];
  /** The judge model, or null for deterministic checks only. */
  judge: string | null;
  /** Scenarios in flight at once. */
  concurrency: number;
  /** Tries after a transient failure (rate limits are waited out separately). */
  retries: number;
}

/** Reads a stored plan back; throws when it is not one this version can resume. */
export function parsePlan(runId: string, stored: unknown): BenchmarkPlan {
  const parsed = planSchema.safeParse(stored);
  if (!parsed.success) {
    throw new InvalidRequestError(
      `Run ${runId} has a plan this version of tta-models cannot read (${parsed.error.issues[0]?.message ?? 'invalid'}); start a new run instead of resuming it.`,
      'resume',
      'unreadable_run_plan',
    );
  }
  return parsed.data as BenchmarkPlan;
}
