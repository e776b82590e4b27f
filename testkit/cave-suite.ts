/**
 * A benchmark scenario suite of `count` short cave scenes, as YAML: suite `cave`, task
 * `narrative_generation`; each scene passes when the answer mentions a lantern.
 */
export function caveSuiteYaml(count: number): string {
  const scenarios = Array.from(
    { length: count },
    (_unused, index) => `  - id: cave-${index + 1}
    title: Cave scene ${index + 1}
    messages:
      - { role: user, content: 'I walk deeper into the cave, step ${index + 1}.' }
    checks:
      - { kind: must-include, patterns: ['lantern'] }
`,
  ).join('');
  return `suite: cave\nversion: 1\ntask: narrative_generation\ndescription: A short test suite.\nscenarios:\n${scenarios}`;
}
