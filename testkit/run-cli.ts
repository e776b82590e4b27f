import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CLI's entry point, run from source (no build needed). */
export const cliMainFile = path.resolve(import.meta.dirname, '../src/cli/main.ts');

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tta-models <args>` as a user would, in its own home folder, with no admin token
 * from the environment unless `env` sets one. Never throws for a non-zero exit.
 */
export async function runCli(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', cliMainFile, ...args],
      {
        env: { ...process.env, TTA_MODELS_HOME: home, TTA_MODELS_ADMIN_TOKEN: '', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
