/**
 * The shape of a scenario suite (`data/scenarios/*.yaml`), validated with zod when a
 * suite is loaded: a mistake in a file is reported with its path, never discovered
 * half-way through a benchmark run.
 */
import { z } from 'zod';

/** A regular expression source, matched case-insensitively; must compile. */
const pattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'iu');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression (JavaScript syntax, matched case-insensitively)' },
);

/** A JSON Schema (draft 2020-12 subset zod understands); converted and checked at load time. */
const jsonSchema = z.record(z.string(), z.unknown()).refine((schema) => {
  try {
    z.fromJSONSchema(schema);
    return true;
  } catch {
    return false;
  }
}, 'not a JSON Schema zod can read (use type, properties, required, items, enum, min/max...)');

/** Length limits; words are runs of non-space characters. */
const lengthCheck = z.strictObject({
  kind: z.literal('length'),
  minWords: z.number().int().nonnegative().optional(),
  maxWords: z.number().int().positive().optional(),
  minCharacters: z.number().int().nonnegative().optional(),
  maxCharacters: z.number().int().positive().optional(),
});

/** Patterns the answer must contain: every one (`match: all`, the default) or at least one. */
const mustIncludeCheck = z.strictObject({
  kind: z.literal('must-include'),
  patterns: z.array(pattern).min(1),
  match: z.enum(['all', 'any']).default('all'),
  /** What the patterns stand for, shown when the check fails. */
  description: z.string().optional(),
});

/** Patterns the answer must not contain. */
const mustNotIncludeCheck = z.strictObject({
  kind: z.literal('must-not-include'),
  patterns: z.array(pattern).min(1),
  description: z.string().optional(),
});

/** The whole answer is JSON (a ```json fence allowed when `allowCodeFence`) valid against `schema`. */
const jsonSchemaCheck = z.strictObject({
  kind: z.literal('json-schema'),
  schema: jsonSchema,
  allowCodeFence: z.boolean().default(false),
});

/** An NPC stays in character: no talk of being an AI or a model, no meta commentary. */
const inCharacterCheck = z.strictObject({
  kind: z.literal('in-character'),
  /** The character's name, for the failure message. */
  character: z.string().min(1),
  /** Words that break this world (e.g. `smartphone` in a pre-modern village). */
  outOfWorld: z.array(pattern).default([]),
});

/** A crisis answer points to human help and to a crisis resource, and gives no method details. */
const crisisResponseCheck = z.strictObject({
  kind: z.literal('crisis-response'),
  /** Require a crisis line, emergency number or service (default true). */
  requireResource: z.boolean().default(true),
  /** Require pointing to a person: someone trusted, a doctor, a counsellor (default true). */
  requireHumanHelp: z.boolean().default(true),
});

/** No details of means or methods of harm (doses, lethality, "the best way to ..."). */
const noMethodDetailsCheck = z.strictObject({ kind: z.literal('no-method-details') });

/** No diagnosis and no prescribing (doses, stopping or changing medication). */
const noDiagnosisCheck = z.strictObject({ kind: z.literal('no-diagnosis') });

/** One deterministic check of an answer. */
export const checkSchema = z.discriminatedUnion('kind', [
  lengthCheck,
  mustIncludeCheck,
  mustNotIncludeCheck,
  jsonSchemaCheck,
  inCharacterCheck,
  crisisResponseCheck,
  noMethodDetailsCheck,
  noDiagnosisCheck,
]);

/** One message of a scenario's conversation. */
const messageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().min(1),
});

/** Ids are kebab-case and unique across every suite. */
const scenarioId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'use lower-case letters, digits and "-" (e.g. "crisis-self-harm-urge")',
  );

/** One scenario as written in a suite file; suite defaults fill what it leaves out. */
export const scenarioInputSchema = z.strictObject({
  id: scenarioId,
  /** A line saying what the scenario probes. */
  title: z.string().min(1),
  /** Group inside the suite, e.g. `suicidal-ideation`, `grounding`. */
  category: z.string().min(1).optional(),
  /** A safety scenario passes only when every deterministic check passes, whatever a judge says. */
  safety: z.boolean().optional(),
  /** The system prompt, instead of the suite's. */
  system: z.string().min(1).optional(),
  /** The conversation up to the turn the model must answer; it ends with a user message. */
  messages: z
    .array(messageSchema)
    .min(1)
    .refine(
      (messages) => messages.at(-1)?.role === 'user',
      'the last message must be the user turn to answer',
    ),
  /** Ask for a JSON object (`response_format: json_object`). */
  responseFormat: z.enum(['text', 'json']).optional(),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  checks: z.array(checkSchema).min(1, 'a scenario needs at least one deterministic check'),
  /** What a judge model should look for, on top of the suite's rubric. */
  rubric: z.array(z.string().min(1)).optional(),
});

/** A suite file: one task family, versioned. */
export const suiteFileSchema = z.strictObject({
  /** Suite name, e.g. `crisis-safety`. */
  suite: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and "-"'),
  /** Bump whenever a scenario's messages or checks change: results record it. */
  version: z.number().int().positive(),
  /** The task every scenario exercises (a task profile name). */
  task: z.string().min(1),
  description: z.string().min(1),
  defaults: z
    .strictObject({
      system: z.string().min(1).optional(),
      safety: z.boolean().default(false),
      responseFormat: z.enum(['text', 'json']).default('text'),
      maxTokens: z.number().int().positive().default(400),
      temperature: z.number().min(0).max(2).default(0),
      rubric: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  scenarios: z.array(scenarioInputSchema).min(1),
});

/** One deterministic check. */
export type Check = z.infer<typeof checkSchema>;
/** One message of a scenario. */
export type ScenarioMessage = z.infer<typeof messageSchema>;
/** A suite file as parsed. */
export type SuiteFile = z.infer<typeof suiteFileSchema>;

/** A scenario ready to run: suite defaults applied, the system prompt first. */
export interface Scenario {
  /** Unique across suites. */
  id: string;
  title: string;
  category?: string;
  /** Suite name. */
  suite: string;
  /** Suite version the scenario comes from. */
  suiteVersion: number;
  /** The task the scenario exercises. */
  task: string;
  /** A safety scenario passes only when every deterministic check passes. */
  safety: boolean;
  /** The whole conversation, the system prompt (if any) first. */
  messages: ScenarioMessage[];
  responseFormat: 'text' | 'json';
  maxTokens: number;
  temperature: number;
  checks: Check[];
  /** What a judge should look for: the suite's rubric then the scenario's. */
  rubric: string[];
}

/** A loaded suite. */
export interface ScenarioSuite {
  suite: string;
  version: number;
  task: string;
  description: string;
  /** The file it came from, when it came from one. */
  file?: string;
  scenarios: Scenario[];
}

/** The runnable scenarios of a parsed suite file. */
export function resolveSuite(file: SuiteFile, source?: string): ScenarioSuite {
  const { defaults } = file;
  return {
    suite: file.suite,
    version: file.version,
    task: file.task,
    description: file.description,
    ...(source === undefined ? {} : { file: source }),
    scenarios: file.scenarios.map((input): Scenario => {
      const system = input.system ?? defaults.system;
      const hasSystem = input.messages[0]?.role === 'system';
      return {
        id: input.id,
        title: input.title,
        ...(input.category === undefined ? {} : { category: input.category }),
        suite: file.suite,
        suiteVersion: file.version,
        task: file.task,
        safety: input.safety ?? defaults.safety,
        messages:
          system !== undefined && !hasSystem
            ? [{ role: 'system', content: system }, ...input.messages]
            : input.messages,
        responseFormat: input.responseFormat ?? defaults.responseFormat,
        maxTokens: input.maxTokens ?? defaults.maxTokens,
        temperature: input.temperature ?? defaults.temperature,
        checks: input.checks,
        rubric: [...defaults.rubric, ...(input.rubric ?? [])],
      };
    }),
  };
}
