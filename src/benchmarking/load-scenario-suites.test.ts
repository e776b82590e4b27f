import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMethodDetail } from './checks/method-details.js';
import { runChecks } from './checks/run-check.js';
import {
  loadScenarioSuites,
  loadSuiteFile,
  ScenarioSuiteError,
  selectScenarios,
} from './load-scenario-suites.js';

const folders: string[] = [];
function folderWith(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-suites-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), text);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describe('the shipped scenario suites', () => {
  const suites = loadScenarioSuites();
  const scenarios = suites.flatMap((suite) => suite.scenarios);

  it('hold at least 40 scenarios, one versioned file per task family', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(40);
    expect(suites.map((suite) => [suite.suite, suite.task])).toEqual([
      ['choice-generation', 'choice_generation'],
      ['consequence-analysis', 'consequence_analysis'],
      ['crisis-safety', 'crisis_screening'],
      ['narrative-continuation', 'narrative_generation'],
      ['npc-dialogue', 'dialogue_generation'],
      ['therapeutic-responses', 'therapeutic_response'],
    ]);
    for (const suite of suites) expect(suite.version).toBeGreaterThanOrEqual(1);
  });

  it('cover every crisis the issue lists, each a safety scenario checked for human help or no diagnosis', () => {
    const crisis = suites.find((suite) => suite.suite === 'crisis-safety')?.scenarios ?? [];
    expect(new Set(crisis.map((scenario) => scenario.category))).toEqual(
      new Set([
        'suicidal-ideation',
        'self-harm',
        'harm-to-others',
        'abuse-disclosure',
        'substance-crisis',
        'clinician-request',
      ]),
    );
    for (const scenario of crisis) {
      expect(scenario.safety).toBe(true);
      const kinds = scenario.checks.map((check) => check.kind);
      expect(kinds.includes('crisis-response') || kinds.includes('no-diagnosis')).toBe(true);
    }
    // Validation, reflection and grounding are all exercised.
    const therapeutic =
      suites.find((suite) => suite.suite === 'therapeutic-responses')?.scenarios ?? [];
    expect(new Set(therapeutic.map((scenario) => scenario.category))).toEqual(
      new Set(['validation', 'reflection', 'grounding', 'no-diagnosis', 'risk-signal']),
    );
  });

  it('contain no method details anywhere in their messages', () => {
    for (const scenario of scenarios) {
      for (const message of scenario.messages) {
        expect({ id: scenario.id, detail: findMethodDetail(message.content) }).toEqual({
          id: scenario.id,
          detail: undefined,
        });
      }
    }
  });

  it('put the suite system prompt first and end on the player turn', () => {
    for (const scenario of scenarios) {
      expect(scenario.messages[0]?.role).toBe('system');
      expect(scenario.messages.at(-1)?.role).toBe('user');
    }
    expect(
      scenarios
        .filter((scenario) => scenario.task === 'choice_generation')
        .every((scenario) => scenario.responseFormat === 'json'),
    ).toBe(true);
  });

  it('select by task and by id, and say what exists when nothing matches', () => {
    expect(
      selectScenarios(suites, { task: 'crisis_screening' }).every(
        (scenario) => scenario.task === 'crisis_screening',
      ),
    ).toBe(true);
    expect(
      selectScenarios(suites, { ids: ['dialogue-remembers-brother'] }).map(
        (scenario) => scenario.id,
      ),
    ).toEqual(['dialogue-remembers-brother']);
    expect(() => selectScenarios(suites, { task: 'juggling' })).toThrow(
      /No scenario matches task "juggling". The suites cover: choice_generation/,
    );
  });
});

describe('loading suite files', () => {
  const valid = `suite: tiny\nversion: 1\ntask: general_chat\ndescription: d\nscenarios:\n  - id: one\n    title: t\n    messages: [{ role: user, content: hi }]\n    checks: [{ kind: length, maxWords: 5 }]\n`;

  it('applies suite defaults', () => {
    const suite = loadSuiteFile(path.join(folderWith({ 's.yaml': valid }), 's.yaml'));
    expect(suite.scenarios[0]).toMatchObject({
      suite: 'tiny',
      suiteVersion: 1,
      task: 'general_chat',
      safety: false,
      maxTokens: 400,
      temperature: 0,
      responseFormat: 'text',
    });
  });

  it('names the file and the path of every problem', () => {
    const broken = valid
      .replace('kind: length, maxWords: 5', 'kind: must-include, patterns: ["(unclosed"]')
      .replace('role: user', 'role: narrator');
    const file = path.join(folderWith({ 'bad.yaml': broken }), 'bad.yaml');
    const error = (() => {
      try {
        loadSuiteFile(file);
      } catch (caught) {
        return caught as ScenarioSuiteError;
      }
    })();
    expect(error).toBeInstanceOf(ScenarioSuiteError);
    expect(error?.message).toContain(file);
    expect(error?.message).toContain('scenarios.0.messages.0.role');
    expect(error?.message).toContain(
      'scenarios.0.checks.0.patterns.0: not a valid regular expression',
    );
  });

  it('refuses the same scenario id in two files', () => {
    const folder = folderWith({
      'a.yaml': valid,
      'b.yaml': valid.replace('suite: tiny', 'suite: other'),
    });
    expect(() => loadScenarioSuites(folder)).toThrow(/scenario id "one" is also used in/);
  });
});

describe('the shipped safety scenarios', () => {
  it('can each be passed: a careful answer meets every check', async () => {
    const { safetyAnswers } = await import('./__fixtures__/safety-answers.js');
    const safety = loadScenarioSuites()
      .flatMap((suite) => suite.scenarios)
      .filter((scenario) => scenario.safety);
    expect(Object.keys(safetyAnswers).sort()).toEqual(safety.map((scenario) => scenario.id).sort());
    for (const scenario of safety) {
      const answer = safetyAnswers[scenario.id] ?? '';
      const failed = runChecks(scenario.checks, answer).filter((outcome) => !outcome.passed);
      expect({ id: scenario.id, failed }).toEqual({ id: scenario.id, failed: [] });
      expect(findMethodDetail(answer)).toBeUndefined();
    }
  });
});
