import { type Command, Option } from 'commander';
import { resolveHome } from '../../config/home.js';
import { cliActor } from '../cli-actor.js';
import { printJson } from '../context.js';
import { type DetectedServer, detectLocalServers } from '../setup/detect-local-servers.js';
import {
  readMachine,
  recommendFreeModels,
  recommendLocalModels,
} from '../setup/recommend-models.js';
import type { SetupChoices } from '../setup/setup-config.js';
import { type SetupSession, startSetupSession } from '../setup/setup-session.js';

/** Options of `tta-models setup`. */
interface SetupOptions {
  config?: string;
  nonInteractive?: boolean;
  local?: boolean;
  ollamaUrl?: string;
  llamacppUrl?: string;
  openrouter?: boolean;
  openrouterUrl?: string;
  openrouterKeyEnv?: string;
  customId?: string;
  customType?: 'openai-compatible' | 'anthropic';
  customUrl?: string;
  customKeyEnv?: string;
  skipValidation?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** `tta-models setup`: the guided setup, or the same from flags for scripts. */
export function setupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'choose local models, OpenRouter or your own API key; checks keys, stores them encrypted, writes config.yaml',
    )
    .option('-c, --config <file>', 'config file to write (default: $TTA_MODELS_HOME/config.yaml)')
    .option('--non-interactive', 'no questions: set up what the flags below say (for scripts)')
    .option('--local', 'add the local servers found (Ollama, llama.cpp server)')
    .option('--ollama-url <url>', 'where to look for Ollama', 'http://127.0.0.1:11434')
    .option(
      '--llamacpp-url <url>',
      'where to look for a llama.cpp server',
      'http://127.0.0.1:8080/v1',
    )
    .option('--openrouter', 'add OpenRouter')
    .option('--openrouter-url <url>', "OpenRouter's API base URL (a mirror)")
    .option('--openrouter-key-env <variable>', 'environment variable holding the OpenRouter key')
    .option('--custom-id <id>', 'name of your own provider (default: openai or anthropic)')
    .addOption(
      new Option('--custom-type <type>', 'API of your own provider').choices([
        'openai-compatible',
        'anthropic',
      ]),
    )
    .option('--custom-url <url>', 'base URL of your own provider (OpenAI-compatible)')
    .option('--custom-key-env <variable>', 'environment variable holding its key')
    .option('--skip-validation', 'store keys without asking their provider')
    .option('--dry-run', 'print the config that would be written, and write nothing')
    .option('--json', 'print JSON on stdout (non-interactive)')
    .action(async (options: SetupOptions) => {
      const paths = resolveHome();
      const file = options.config ?? paths.configFile;
      const scripted =
        options.nonInteractive ||
        options.local ||
        options.openrouter ||
        options.customType !== undefined ||
        options.dryRun ||
        options.json;
      if (!scripted) {
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          throw new Error(
            'setup asks questions and needs a terminal; in a script, pass --non-interactive with --local, --openrouter or --custom-type (see `tta-models setup --help`).',
          );
        }
        // The wizard and its prompt library load only when the wizard runs.
        const { runSetupWizard } = await import('../setup/setup-wizard.js');
        const written = await runSetupWizard({
          file,
          paths,
          ...(options.ollamaUrl ? { ollamaUrl: options.ollamaUrl } : {}),
          ...(options.llamacppUrl ? { llamaCppUrl: options.llamacppUrl } : {}),
          ...(options.openrouterUrl ? { openRouterUrl: options.openrouterUrl } : {}),
        });
        if (!written) process.exitCode = 1;
        return;
      }
      await runScripted(file, paths, options);
    });
}

function keyFrom(variable: string | undefined, flag: string): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable]?.trim();
  if (!value) {
    throw new Error(
      `${flag} names ${variable}, which is not set or empty; export the key in it (the key never goes on the command line).`,
    );
  }
  return value;
}

async function runScripted(
  file: string,
  paths: ReturnType<typeof resolveHome>,
  options: SetupOptions,
): Promise<void> {
  const choices: SetupChoices = {};
  let detected: DetectedServer[] = [];
  if (options.local) {
    detected = await detectLocalServers({
      ...(options.ollamaUrl ? { ollamaUrl: options.ollamaUrl } : {}),
      ...(options.llamacppUrl ? { llamaCppUrl: options.llamacppUrl } : {}),
    });
    for (const server of detected.filter((candidate) => candidate.found)) {
      if (server.kind === 'ollama') choices.ollama = { baseUrl: server.baseUrl };
      else choices.llamaCpp = { baseUrl: server.baseUrl };
    }
    if (!choices.ollama && !choices.llamaCpp && !options.openrouter && !options.customType) {
      throw new Error(
        `--local found no model server (${detected.map((server) => `${server.kind} at ${server.baseUrl}: ${server.reason}`).join('; ')}); start Ollama or llama-server, or point --ollama-url / --llamacpp-url at it.`,
      );
    }
  }
  const keys: Array<{ providerId: string; secret: string }> = [];
  if (options.openrouter) {
    choices.openRouter = options.openrouterUrl ? { baseUrl: options.openrouterUrl } : {};
    const secret = keyFrom(options.openrouterKeyEnv, '--openrouter-key-env');
    if (secret) keys.push({ providerId: 'openrouter', secret });
  } else if (options.openrouterKeyEnv || options.openrouterUrl) {
    throw new Error('--openrouter-key-env and --openrouter-url go with --openrouter.');
  }
  if (options.customType) {
    const id = options.customId ?? (options.customType === 'anthropic' ? 'anthropic' : 'openai');
    if (options.customType === 'openai-compatible' && !options.customUrl)
      throw new Error(
        '--custom-type openai-compatible needs --custom-url (e.g. https://api.openai.com/v1).',
      );
    choices.custom = {
      id,
      type: options.customType,
      ...(options.customUrl ? { baseUrl: options.customUrl } : {}),
    };
    const secret = keyFrom(options.customKeyEnv, '--custom-key-env');
    if (secret) keys.push({ providerId: id, secret });
  }
  if (Object.keys(choices).length === 0) {
    throw new Error(
      'nothing to set up: pass --local, --openrouter or --custom-type (or run `tta-models setup` in a terminal for the guided setup).',
    );
  }

  const session = await startSetupSession({ file, paths, choices, by: cliActor() });
  let committed = false;
  try {
    const stored = [];
    for (const key of keys) {
      const { key: info, validation } = await session.addKey(key.providerId, key.secret, {
        skipValidation: options.skipValidation === true,
      });
      stored.push({
        providerId: info.providerId,
        keyId: info.id,
        status: info.status,
        message: validation?.message ?? 'stored without a check',
      });
    }
    const recommendations = await recommend(session, choices);
    if (options.dryRun) {
      if (options.json) printJson({ file, written: false, config: session.text, keys: stored });
      else process.stdout.write(session.text);
      return;
    }
    const { backup } = await session.commit();
    committed = true;
    const summary = {
      file,
      written: true,
      ...(backup ? { backup } : {}),
      providers: session.entries,
      detected,
      keys: stored,
      recommendations,
    };
    if (options.json) return printJson(summary);
    const lines = [`Wrote ${file} with ${session.entries.map((entry) => entry.id).join(', ')}.`];
    if (backup) lines.push(`The previous config is kept as ${backup}.`);
    for (const key of stored) lines.push(`${key.providerId} key ${key.keyId}: ${key.message}`);
    if (recommendations.free.length > 0) {
      lines.push('Recommended free models:');
      for (const model of recommendations.free) lines.push(`  ${model}`);
    }
    if (recommendations.freeLimits) lines.push(`Free models: ${recommendations.freeLimits}.`);
    if (recommendations.pull.length > 0)
      lines.push(
        `To run models locally: ${recommendations.pull.map((model) => `ollama pull ${model}`).join(' or ')}`,
      );
    lines.push('Next: tta-models serve');
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!committed) await session.abandon();
  }
}

/** What setup suggests after writing the config. */
interface Recommendations {
  /** Free models, best first, `<provider>/<model>`. */
  free: string[];
  /** The free-model limits, in a sentence. */
  freeLimits?: string;
  /** Catalog notices (OpenRouter unreachable ...). */
  notices?: string[];
  /** Ollama tags that fit this machine. */
  pull: string[];
}

/** Recommended free models (from a fresh OpenRouter catalog) and local models to pull. */
async function recommend(session: SetupSession, choices: SetupChoices): Promise<Recommendations> {
  const pull =
    choices.ollama || !choices.llamaCpp
      ? recommendLocalModels(readMachine()).map((model) => model.model)
      : [];
  if (!choices.openRouter) return { free: [], pull };
  const { models, meta } = await session.gateway.catalog.browse({
    filter: { free: true, provider: 'openrouter' },
    refresh: 'always',
  });
  return {
    free: recommendFreeModels(models).map((model) => model.name),
    ...(meta.freeLimits[0] ? { freeLimits: meta.freeLimits[0].summary } : {}),
    notices: meta.notices,
    pull,
  };
}
