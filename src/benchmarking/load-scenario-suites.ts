import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InvalidRequestError } from '../spec/index.js';
import {
  resolveSuite,
  type Scenario,
  type ScenarioSuite,
  suiteFileSchema,
} from './scenario-schema.js';

/** The suites shipped with tta-models (`data/scenarios`, beside `src/` and `dist/`). */
export const defaultScenariosDir = fileURLToPath(new URL('../../data/scenarios', import.meta.url));

/** A suite file that cannot be used, with every problem and where it is. */
export class ScenarioSuiteError extends InvalidRequestError {
  constructor(file: string, problems: readonly string[]) {
    super(
      `Scenario suite ${file} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nFix the file (see data/scenarios/*.yaml for the format) and run again.`,
      'suite',
      'invalid_scenario_suite',
    );
    this.name = 'ScenarioSuiteError';
  }
}

/** Reads and validates one suite file. */
export function loadSuiteFile(file: string): ScenarioSuite {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioSuiteError(file, [`cannot read it: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ScenarioSuiteError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = suiteFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioSuiteError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`),
    );
  }
  return resolveSuite(parsed.data, file);
}

/**
 * Every `*.yaml` suite of a folder, in file-name order. Scenario ids must be unique
 * across the folder: results are keyed by them.
 */
export function loadScenarioSuites(directory: string = defaultScenariosDir): ScenarioSuite[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(directory)
      .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
      .sort();
  } catch (error) {
    throw new ScenarioSuiteError(directory, [
      `cannot list the folder: ${(error as Error).message}`,
    ]);
  }
  const suites = names.map((name) => loadSuiteFile(path.join(directory, name)));
  assertUniqueIds(suites);
  return suites;
}

/** Throws when two scenarios (or two suites) share an id or name. */
export function assertUniqueIds(suites: readonly ScenarioSuite[]): void {
  const seenSuites = new Map<string, string>();
  const seenScenarios = new Map<string, string>();
  for (const suite of suites) {
    const where = suite.file ?? suite.suite;
    const earlier = seenSuites.get(suite.suite);
    if (earlier !== undefined) {
      throw new ScenarioSuiteError(where, [
        `suite name "${suite.suite}" is also used by ${earlier}`,
      ]);
    }
    seenSuites.set(suite.suite, where);
    for (const scenario of suite.scenarios) {
      const other = seenScenarios.get(scenario.id);
      if (other !== undefined) {
        throw new ScenarioSuiteError(where, [
          `scenario id "${scenario.id}" is also used in ${other}`,
        ]);
      }
      seenScenarios.set(scenario.id, where);
    }
  }
}

/** Which scenarios of the suites to run. */
export interface ScenarioSelection {
  /** Only scenarios of this task. */
  task?: string;
  /** Only these scenario ids. */
  ids?: readonly string[];
}

/** The scenarios picked by `selection`; throws when it picks none, saying what exists. */
export function selectScenarios(
  suites: readonly ScenarioSuite[],
  selection: ScenarioSelection = {},
): Scenario[] {
  const all = suites.flatMap((suite) => suite.scenarios);
  const picked = all.filter(
    (scenario) =>
      (selection.task === undefined || scenario.task === selection.task) &&
      (selection.ids === undefined || selection.ids.includes(scenario.id)),
  );
  if (picked.length === 0) {
    const tasks = [...new Set(all.map((scenario) => scenario.task))].sort().join(', ');
    throw new InvalidRequestError(
      `No scenario matches${selection.task ? ` task "${selection.task}"` : ''}${selection.ids ? ` ids ${selection.ids.join(', ')}` : ''}. The suites cover: ${tasks || 'nothing'}.`,
      'task',
      'no_scenarios',
    );
  }
  return picked;
}
