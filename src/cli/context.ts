import fs from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { type HomePaths, resolveHome } from '../config/home.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { starterConfig } from '../config/starter-config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';

/** Options every command that reads the configuration accepts. */
export interface ConfigOptions {
  /** `--config FILE`; default `$TTA_MODELS_HOME/config.yaml`. */
  config?: string;
}

/**
 * Reads the configuration. With no `--config`, the home's `config.yaml` is
 * created from the starter template on first use, so a fresh machine just works.
 */
export function readConfig(
  options: ConfigOptions,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig & { paths: HomePaths } {
  const paths = resolveHome(env);
  if (options.config) return { ...loadConfig(options.config, env), paths };
  if (!fs.existsSync(paths.configFile)) {
    fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    // `wx`: never overwrite a file another process created meanwhile.
    try {
      fs.writeFileSync(paths.configFile, starterConfig, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(paths.configFile, [`cannot create it: ${(error as Error).message}`]);
      }
    }
  }
  return { ...loadConfig(paths.configFile, env), paths };
}

/** A gateway for a one-shot command: quiet logs (stderr, warnings only). */
export async function openGateway(options: ConfigOptions): Promise<Gateway> {
  const { config, paths } = readConfig(options);
  // A one-shot command follows no replica: no listening connection for a moment's work.
  return createGateway({
    config,
    paths,
    logger: createLogger({ level: 'warn' }),
    followReplicas: false,
  });
}

/** Prints machine output: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
