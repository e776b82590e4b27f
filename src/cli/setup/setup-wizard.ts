/**
 * The interactive `tta-models setup`: asks where models should come from (this machine,
 * OpenRouter, the user's own key), shows what runs locally and what the machine can
 * hold, checks keys with their providers before storing them in the vault, offers the
 * recommended free models with their limits, and writes config.yaml only at the end.
 */
import {
  cancel,
  confirm,
  intro,
  isCancel,
  log,
  multiselect,
  note,
  outro,
  password,
  select,
  spinner,
  text,
} from '@clack/prompts';
import type { HomePaths } from '../../config/home.js';
import { ollamaBaseUrl } from '../../providers/ollama/ollama-provider.js';
import { openRouterBaseUrl } from '../../providers/openrouter/openrouter-provider.js';
import { GatewayError } from '../../spec/index.js';
import { cliActor } from '../cli-actor.js';
import { type DetectedServer, detectLocalServers } from './detect-local-servers.js';
import {
  type MachineSummary,
  readMachine,
  recommendFreeModels,
  recommendLocalModels,
} from './recommend-models.js';
import type { SetupChoices } from './setup-config.js';
import { type SetupSession, startSetupSession } from './setup-session.js';

/** Options of {@link runSetupWizard}. */
export interface SetupWizardOptions {
  /** The config file to write. */
  file: string;
  /** Where the database and the vault live. */
  paths: HomePaths;
  /** Where to look for Ollama and a llama.cpp server. */
  ollamaUrl?: string;
  llamaCppUrl?: string;
  /** OpenRouter's API base URL (a mirror, or a fake in tests). */
  openRouterUrl?: string;
  /** This machine (read from `os` by default). */
  machine?: MachineSummary;
}

/** Thrown (and caught by the command) when the user cancels. */
class SetupCancelled extends Error {}

function answer<T>(value: T): Exclude<T, symbol> {
  if (isCancel(value)) throw new SetupCancelled('cancelled');
  return value as Exclude<T, symbol>;
}

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** Runs the wizard; resolves true when config.yaml was written. */
export async function runSetupWizard(options: SetupWizardOptions): Promise<boolean> {
  intro('tta-models setup');
  let session: SetupSession | undefined;
  try {
    const machine = options.machine ?? readMachine();
    const probing = spinner();
    probing.start('Looking for model servers on this machine');
    const servers = await detectLocalServers({
      ...(options.ollamaUrl ? { ollamaUrl: options.ollamaUrl } : {}),
      ...(options.llamaCppUrl ? { llamaCppUrl: options.llamaCppUrl } : {}),
    });
    probing.stop('Looked for Ollama (port 11434) and a llama.cpp server (port 8080)');
    note(describeMachine(machine, servers), 'This machine');

    const found = servers.filter((server) => server.found);
    const sources = answer(
      await multiselect({
        message: 'Where should models come from? (space toggles, enter confirms)',
        options: [
          {
            value: 'local',
            label: 'Local models on this machine',
            hint:
              found.length > 0
                ? `found ${found.map((server) => server.kind).join(' and ')}`
                : 'Ollama or llama.cpp; none running now',
          },
          {
            value: 'openrouter',
            label: 'OpenRouter',
            hint: 'hundreds of models, free ones included; chat needs a free key',
          },
          { value: 'custom', label: 'My own API key', hint: 'OpenAI-compatible or Anthropic' },
        ],
        initialValues: found.length > 0 ? ['local', 'openrouter'] : ['openrouter'],
      }),
    );

    const choices: SetupChoices = {};
    const keys: Array<{ providerId: string; secret: string }> = [];
    if (sources.includes('local')) {
      const ollama = servers.find((server) => server.kind === 'ollama');
      const llamaCpp = servers.find((server) => server.kind === 'llama.cpp');
      if (llamaCpp?.found) choices.llamaCpp = { baseUrl: llamaCpp.baseUrl };
      // Ollama is added even when it is not running yet: it is the usual way to run models locally.
      if (ollama?.found || !llamaCpp?.found)
        choices.ollama = { baseUrl: ollama?.baseUrl ?? ollamaBaseUrl };
      if (!ollama?.found || ollama.models.length === 0) {
        const pulls = recommendLocalModels(machine)
          .map((model) => `  ollama pull ${model.model}   # ${model.why}`)
          .join('\n');
        note(
          `${ollama?.found ? 'Ollama runs but has no models yet.' : 'Ollama is not running; install it from https://ollama.com and start it.'}\nFor this machine:\n${pulls}`,
          'Local models',
        );
      }
    }
    if (sources.includes('openrouter')) {
      choices.openRouter = options.openRouterUrl ? { baseUrl: options.openRouterUrl } : {};
      const secret = answer(
        await password({
          message:
            'OpenRouter API key (leave empty to add it later; make one at https://openrouter.ai/settings/keys)',
          mask: '•',
        }),
      ).trim();
      if (secret) keys.push({ providerId: 'openrouter', secret });
    }
    if (sources.includes('custom')) {
      const type = answer(
        await select({
          message: 'Which API does your key belong to?',
          options: [
            { value: 'openai-compatible' as const, label: 'OpenAI or an OpenAI-compatible API' },
            { value: 'anthropic' as const, label: 'Anthropic (Claude)' },
          ],
        }),
      );
      const id = answer(
        await text({
          message: 'A short name for this provider (models are named <name>/<model>)',
          defaultValue: type === 'anthropic' ? 'anthropic' : 'openai',
          placeholder: type === 'anthropic' ? 'anthropic' : 'openai',
          validate: (value) =>
            value && !/^[a-z0-9][a-z0-9_-]*$/.test(value)
              ? 'use lower-case letters, digits, "-" or "_"'
              : undefined,
        }),
      );
      const baseUrl =
        type === 'openai-compatible'
          ? answer(
              await text({
                message: 'Base URL of the API',
                defaultValue: 'https://api.openai.com/v1',
                placeholder: 'https://api.openai.com/v1',
              }),
            )
          : undefined;
      choices.custom = { id, type, ...(baseUrl ? { baseUrl } : {}) };
      const secret = answer(await password({ message: `API key for ${id}`, mask: '•' })).trim();
      if (secret) keys.push({ providerId: id, secret });
    }
    if (Object.keys(choices).length === 0) {
      cancel('Nothing was chosen, so nothing was written.');
      return false;
    }

    session = await startSetupSession({
      file: options.file,
      paths: options.paths,
      choices,
      by: cliActor(),
    });
    for (const key of keys) await storeKey(session, key.providerId, key.secret);

    let chosenModel: string | undefined;
    if (choices.openRouter) chosenModel = await offerFreeModels(session);

    note(session.text, session.existed ? `${options.file} (other settings kept)` : options.file);
    const write = answer(await confirm({ message: `Write ${options.file}?`, initialValue: true }));
    if (!write) {
      await session.abandon();
      cancel('Nothing was written.');
      return false;
    }
    const { backup } = await session.commit();
    if (backup) log.info(`The previous config is kept as ${backup}.`);
    const next = ['Start the gateway: tta-models serve'];
    if (chosenModel) next.push(`Send model: "${chosenModel}" from TTA's services`);
    next.push('Browse models: tta-models models --free');
    outro(next.join('\n   '));
    return true;
  } catch (error) {
    await session?.abandon();
    if (error instanceof SetupCancelled) {
      cancel('Setup cancelled; nothing was written.');
      return false;
    }
    throw error;
  }
}

function describeMachine(machine: MachineSummary, servers: DetectedServer[]): string {
  const lines = [
    `Memory ${gigabytes(machine.totalRamBytes)} (${gigabytes(machine.freeRamBytes)} free), ${machine.cores} CPU cores`,
  ];
  for (const server of servers) {
    lines.push(
      server.found
        ? `${server.kind} at ${server.baseUrl}: ${server.models.length} model(s)${server.models.length > 0 ? ` (${server.models.slice(0, 4).join(', ')}${server.models.length > 4 ? ', …' : ''})` : ''}`
        : `${server.kind}: not found at ${server.baseUrl}`,
    );
  }
  return lines.join('\n');
}

/** Checks and stores a key; when the provider refuses it, asks what to do. */
async function storeKey(session: SetupSession, providerId: string, first: string): Promise<void> {
  let secret = first;
  for (;;) {
    const checking = spinner();
    checking.start(`Checking the ${providerId} key with ${providerId}`);
    try {
      const { key, validation } = await session.addKey(providerId, secret);
      checking.stop(
        `${providerId}: ${validation?.message ?? 'stored'} (stored encrypted as ${key.id}, …${key.last4})`,
      );
      return;
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      checking.error(error.message);
      const unreachable = error.code === 'key_unreachable' || error.code === 'key_rate_limited';
      const next = answer(
        await select({
          message: `What now with the ${providerId} key?`,
          options: [
            { value: 'again' as const, label: 'Enter another key' },
            ...(unreachable ? [{ value: 'unchecked' as const, label: 'Store it unchecked' }] : []),
            {
              value: 'skip' as const,
              label: 'Go on without a key (add one later: tta-models keys add)',
            },
          ],
        }),
      );
      if (next === 'skip') return;
      if (next === 'unchecked') {
        await session.addKey(providerId, secret, { skipValidation: true });
        return;
      }
      secret = answer(await password({ message: `API key for ${providerId}`, mask: '•' })).trim();
    }
  }
}

/** Shows the recommended free models and the notice for the chosen one; returns its name. */
async function offerFreeModels(session: SetupSession): Promise<string | undefined> {
  const reading = spinner();
  reading.start('Reading the OpenRouter catalog');
  const { models, meta } = await session.gateway.catalog.browse({
    filter: { free: true, provider: 'openrouter' },
    refresh: 'always',
  });
  const recommended = recommendFreeModels(models);
  if (recommended.length === 0) {
    reading.error(
      meta.notices[0] ??
        'OpenRouter listed no free models; `tta-models models --free` shows them later.',
    );
    return undefined;
  }
  reading.stop(`${models.length} free models on OpenRouter`);
  const choice = answer(
    await select({
      message: 'Which free model should TTA use first?',
      options: [
        ...recommended.map((item) => ({
          value: item.name,
          label: item.displayName ?? item.id,
          hint: `${item.contextLength?.toLocaleString('en') ?? '?'} tokens${item.supportedParameters?.includes('tools') ? ', tools' : ''}`,
        })),
        { value: '', label: 'None for now' },
      ],
    }),
  );
  if (!choice) return undefined;
  const { notice } = await session.gateway.catalog.describe(choice, { refresh: 'never' });
  if (notice) {
    const alternatives = notice.alternatives
      .map((alternative) => `  ${alternative.name}: ${alternative.reason}`)
      .join('\n');
    note(
      `${notice.caution}${alternatives ? `\nAlternatives:\n${alternatives}` : ''}`,
      'About free models',
    );
  }
  return choice;
}

/** The default OpenRouter base URL (for help texts). */
export const defaultOpenRouterUrl = openRouterBaseUrl;
