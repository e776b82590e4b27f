/**
 * The configuration cannot be used. The message names the file, the path in it
 * and what was expected, one problem per line, and never echoes a secret.
 */
export class ConfigError extends Error {
  /** Each problem as `path: what is wrong`. */
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(
      `Invalid configuration in ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
