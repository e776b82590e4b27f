import os from 'node:os';
import path from 'node:path';

/** Where tta-models keeps its files: the config, the SQLite database, the vault key. */
export interface HomePaths {
  /** The home folder itself (`TTA_MODELS_HOME`, default `~/.tta-models`). */
  home: string;
  /** `config.yaml` in the home folder. */
  configFile: string;
  /** The embedded SQLite database. */
  databaseFile: string;
}

/** Resolves the home folder from the environment. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): HomePaths {
  const home = path.resolve(env.TTA_MODELS_HOME || path.join(os.homedir(), '.tta-models'));
  return {
    home,
    configFile: path.join(home, 'config.yaml'),
    databaseFile: path.join(home, 'tta-models.sqlite'),
  };
}
