import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type DetectedServer, detectLocalServers } from '../../cli/setup/detect-local-servers.js';
import {
  readMachine,
  recommendFreeModels,
  recommendLocalModels,
} from '../../cli/setup/recommend-models.js';
import type { SetupChoices } from '../../cli/setup/setup-config.js';
import { startSetupSession } from '../../cli/setup/setup-session.js';
import type { Gateway } from '../../gateway.js';
import { ollamaBaseUrl } from '../../providers/ollama/ollama-provider.js';
import { openRouterBaseUrl } from '../../providers/openrouter/openrouter-provider.js';
import { InvalidRequestError } from '../../spec/index.js';
import { auditActorOf } from '../audit-actor.js';

const security = [{ adminToken: [] }];
const llamaCppDefault = 'http://127.0.0.1:8080/v1';
const url = z.url({ protocol: /^https?$/ });

const lookQuery = z.object({
  ollamaUrl: url.optional().describe('Where to look for Ollama (default http://127.0.0.1:11434)'),
  llamaCppUrl: url
    .optional()
    .describe('Where to look for a llama.cpp server (default http://127.0.0.1:8080/v1)'),
});

const setupBody = z.strictObject({
  local: z
    .strictObject({ ollamaUrl: url.optional(), llamaCppUrl: url.optional() })
    .optional()
    .describe('Add the local model servers found (Ollama is added even when not running yet)'),
  openRouter: z
    .strictObject({
      baseUrl: url.optional().describe("OpenRouter's API base URL (a mirror)"),
      key: z.string().optional().describe('An OpenRouter key; checked, then stored in the vault'),
    })
    .optional(),
  custom: z
    .strictObject({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" or "_"')
        .describe('Provider id: models are named <id>/<model>'),
      type: z.enum(['openai-compatible', 'anthropic']),
      baseUrl: url.optional(),
      key: z.string().optional(),
    })
    .optional(),
  skipValidation: z.boolean().optional().describe('Store keys without asking their provider'),
  dryRun: z.boolean().optional().describe('Check everything, write nothing'),
});

/**
 * `/api/setup`: the guided first-run setup of `tta-models setup` for the dashboard (admin
 * only). The same steps as the wizard: look for local servers, recommend for this machine,
 * check keys with their providers and store them in the vault (never in the file),
 * recommend free models, and write config.yaml atomically. The running server keeps its
 * providers until it is restarted.
 */
export function setupRoutes(gateway: Gateway): FastifyPluginAsync {
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();

    typed.get(
      '/api/setup',
      {
        schema: {
          tags: ['setup'],
          summary:
            'Whether setup is needed, this machine, the local model servers found and the local models that fit it',
          security,
          querystring: lookQuery,
        },
      },
      async (request) => {
        const machine = readMachine();
        const servers = await detectLocalServers({
          ...(request.query.ollamaUrl ? { ollamaUrl: request.query.ollamaUrl } : {}),
          ...(request.query.llamaCppUrl ? { llamaCppUrl: request.query.llamaCppUrl } : {}),
        });
        return {
          needed: gateway.providers.size === 0,
          configFile: gateway.paths.configFile,
          providers: [...gateway.providers.keys()],
          machine,
          servers,
          localRecommendations: recommendLocalModels(machine),
          defaults: {
            ollamaUrl: ollamaBaseUrl,
            llamaCppUrl: llamaCppDefault,
            openRouterUrl: openRouterBaseUrl,
          },
        };
      },
    );

    typed.post(
      '/api/setup',
      {
        schema: {
          tags: ['setup'],
          summary:
            'Set up providers: keys are checked and stored encrypted, config.yaml is written atomically (the old one kept as .bak); restart to use them',
          security,
          body: setupBody,
        },
      },
      async (request) => {
        const body = request.body;
        const choices: SetupChoices = {};
        const keys: Array<{ providerId: string; secret: string }> = [];
        let detected: DetectedServer[] = [];
        if (body.local) {
          detected = await detectLocalServers({
            ...(body.local.ollamaUrl ? { ollamaUrl: body.local.ollamaUrl } : {}),
            ...(body.local.llamaCppUrl ? { llamaCppUrl: body.local.llamaCppUrl } : {}),
          });
          const ollama = detected.find((server) => server.kind === 'ollama');
          const llamaCpp = detected.find((server) => server.kind === 'llama.cpp');
          if (llamaCpp?.found) choices.llamaCpp = { baseUrl: llamaCpp.baseUrl };
          // As in the wizard: Ollama is the usual way to run models locally, so it is added
          // even when it is not running yet.
          if (ollama?.found || !llamaCpp?.found)
            choices.ollama = { baseUrl: ollama?.baseUrl ?? ollamaBaseUrl };
        }
        if (body.openRouter) {
          choices.openRouter = body.openRouter.baseUrl ? { baseUrl: body.openRouter.baseUrl } : {};
          const secret = body.openRouter.key?.trim();
          if (secret) keys.push({ providerId: 'openrouter', secret });
        }
        if (body.custom) {
          if (body.custom.type === 'openai-compatible' && !body.custom.baseUrl)
            throw new InvalidRequestError(
              'An OpenAI-compatible provider needs its base URL, e.g. https://api.openai.com/v1.',
              'custom.baseUrl',
            );
          choices.custom = {
            id: body.custom.id,
            type: body.custom.type,
            ...(body.custom.baseUrl ? { baseUrl: body.custom.baseUrl } : {}),
          };
          const secret = body.custom.key?.trim();
          if (secret) keys.push({ providerId: body.custom.id, secret });
        }
        if (Object.keys(choices).length === 0)
          throw new InvalidRequestError(
            'Nothing to set up: choose local models, OpenRouter or your own key.',
            null,
          );

        const session = await startSetupSession({
          file: gateway.paths.configFile,
          paths: gateway.paths,
          choices,
          ...(body.dryRun ? {} : { by: auditActorOf(request) }),
          // A throwaway admin token, so this second gateway on the same database never
          // creates or replaces the stored one.
          env: { ...process.env, TTA_MODELS_ADMIN_TOKEN: randomBytes(24).toString('base64url') },
        });
        let committed = false;
        try {
          const stored = [];
          for (const key of keys) {
            const checked = await session.addKey(key.providerId, key.secret, {
              skipValidation: body.skipValidation === true,
            });
            stored.push({
              ...checked.key,
              message: checked.validation?.message ?? 'stored without a check',
            });
          }
          const free = choices.openRouter
            ? await session.gateway.catalog.browse({
                filter: { free: true, provider: 'openrouter' },
                refresh: 'always',
              })
            : undefined;
          const recommendedFree = free
            ? recommendFreeModels(free.models).map((item) => ({
                name: item.name,
                displayName: item.displayName ?? item.id,
                contextLength: item.contextLength ?? null,
                tools: item.supportedParameters?.includes('tools') ?? false,
              }))
            : [];
          const result = {
            file: gateway.paths.configFile,
            config: session.text,
            providers: session.entries,
            detected,
            keys: stored,
            recommendedFree,
            freeLimits: free?.meta.freeLimits[0]?.summary ?? null,
            notices: free?.meta.notices ?? [],
            localRecommendations:
              choices.ollama || choices.llamaCpp ? recommendLocalModels(readMachine()) : [],
          };
          if (body.dryRun) return { ...result, written: false, backup: null, restart: false };
          const { backup } = await session.commit();
          committed = true;
          return { ...result, written: true, backup: backup ?? null, restart: true };
        } finally {
          if (!committed) await session.abandon();
        }
      },
    );
  };
}
