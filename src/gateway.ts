import { type AccessControl, createAccessControl } from './access/access-control.js';
import { createUserTokens, type UserTokens } from './access/user-tokens.js';
import { createModelList, type ModelList } from './catalog/model-list.js';
import type { GatewayConfig } from './config/config-schema.js';
import type { HomePaths } from './config/home.js';
import {
  type ChatDispatcher,
  createChatDispatcher,
  type ResolvedModel,
} from './dispatch/chat-dispatcher.js';
import { createProvider } from './providers/provider-registry.js';
import { createKeyVault, type KeyVault, type LineDestination } from './secrets/index.js';
import { createKeyAdmission, type KeyAdmission } from './secrets/key-admission.js';
import { createKeySelection } from './secrets/key-selection.js';
import {
  GatewayError,
  type HealthReport,
  ModelNotFoundError,
  type Provider,
} from './spec/index.js';
import { openStorage, type Storage } from './storage/index.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics, type GatewayMetrics } from './telemetry/metrics.js';

export type { GatewayConfig } from './config/config-schema.js';
export { resolveHome } from './config/home.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export * from './spec/index.js';

/** What {@link createGateway} needs; everything with I/O can be injected. */
export interface GatewayOptions {
  /** The validated configuration. */
  config: GatewayConfig;
  /** Where the database lives. */
  paths: HomePaths;
  /** Environment (admin token); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Logger; defaults to pino at the configured level, secrets scrubbed, on `logDestination`. */
  logger?: Logger;
  /** Where the default logger writes JSON lines (default stderr). */
  logDestination?: LineDestination;
  /** Providers to use instead of building them from the config (tests, embedding apps). */
  providers?: Provider[];
}

/** A provider's health, by id. */
export interface ProviderHealth extends HealthReport {
  /** Configured provider id. */
  providerId: string;
  /** Its type. */
  type: Provider['type'];
}

/** The composition root: every module wired into one object the server, the CLI and embedding apps use. */
export interface Gateway {
  readonly config: GatewayConfig;
  readonly paths: HomePaths;
  readonly logger: Logger;
  readonly storage: Storage;
  readonly metrics: GatewayMetrics;
  readonly access: AccessControl;
  /** Users and their tokens. */
  readonly users: UserTokens;
  /** Sealed provider keys. */
  readonly vault: KeyVault;
  /** Adding, checking, listing and removing provider keys. */
  readonly keys: KeyAdmission;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly models: ModelList;
  readonly chat: ChatDispatcher;
  /** Maps `<providerId>/<modelId>` to the provider model; throws `ModelNotFoundError`. */
  resolve(name: string): ResolvedModel;
  /** Health of every provider, checked concurrently. */
  health(): Promise<ProviderHealth[]>;
  /** Flushes the request log and releases connections and the database. */
  close(): Promise<void>;
}

/** Wires config, storage, providers, access control, metrics and dispatch into one gateway. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, paths } = options;
  const env = options.env ?? process.env;
  let vault: KeyVault | undefined;
  const logger =
    options.logger ??
    createLogger({
      level: config.log.level,
      knownSecrets: () => vault?.cachedSecrets() ?? [],
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const storage = await openStorage({
    path: paths.databaseFile,
    onError: (error) =>
      logger.error({ err: error }, 'request log write failed; rows kept for the next flush'),
  });
  let providerConfigs: GatewayConfig['providers'];
  try {
    vault = await createKeyVault({ storage, home: paths.home, env });
    providerConfigs = await resolveVaultReferences(config.providers, vault);
  } catch (error) {
    await storage.close();
    throw error;
  }
  for (const notice of vault.notices) logger.warn(notice);
  const providerList = options.providers ?? providerConfigs.map((entry) => createProvider(entry));
  const providers = new Map(providerList.map((provider) => [provider.id, provider]));
  const access = await createAccessControl({
    settings: storage.settings,
    users: storage.users,
    clientKeys: config.auth.apiKeys,
    env,
  });
  const keys = createKeySelection({ vault, providers: providerConfigs });
  const metrics = createMetrics();
  const models = createModelList(providerList);

  function resolve(name: string): ResolvedModel {
    const slash = name.indexOf('/');
    const providerId = slash > 0 ? name.slice(0, slash) : name;
    const modelId = slash > 0 ? name.slice(slash + 1) : '';
    const provider = providers.get(providerId);
    if (!provider || !modelId) {
      const known = [...providers.keys()].map((id) => `"${id}"`).join(', ') || 'none configured';
      throw new ModelNotFoundError(
        `The model "${name}" does not exist. Name a model as <provider>/<model>, with a provider from config.yaml (${known}); GET /v1/models lists them all.`,
      );
    }
    const listing = models.cached(providerId);
    if (
      listing?.known &&
      listing.error === undefined &&
      !listing.models.some((model) => model.id === modelId)
    ) {
      throw new ModelNotFoundError(
        `The provider "${providerId}" does not offer the model "${modelId}". GET /v1/models lists the models it offers.`,
      );
    }
    return { name, providerId, model: provider.model(modelId) };
  }

  return {
    config,
    paths,
    logger,
    storage,
    metrics,
    access,
    users: createUserTokens(storage.users, access),
    vault,
    keys: createKeyAdmission({ vault, keys, providers: config.providers }),
    providers,
    models,
    chat: createChatDispatcher({
      resolve,
      recorder: storage.requests,
      metrics,
      keys,
      logger,
      onKeyFailure: (failure) =>
        logger.warn(
          { keyId: failure.keyId, status: failure.status },
          `vault key ${failure.keyId} marked ${failure.status}: ${failure.message}`,
        ),
    }),
    resolve,
    async health() {
      return Promise.all(
        providerList.map(async (provider) => ({
          providerId: provider.id,
          type: provider.type,
          ...(await provider.health({ signal: AbortSignal.timeout(5_000) })),
        })),
      );
    },
    async close() {
      await Promise.allSettled(providerList.map((provider) => provider.close()));
      await storage.close();
    },
  };
}

/**
 * Replaces `apiKey: vault:<id>` in provider entries with the sealed secret, so
 * operator keys can live in the vault instead of the config file.
 */
async function resolveVaultReferences(entries: GatewayConfig['providers'], vault: KeyVault) {
  return Promise.all(
    entries.map(async (entry) => {
      const reference = entry.apiKey?.startsWith('vault:')
        ? entry.apiKey.slice('vault:'.length)
        : undefined;
      if (reference === undefined) return entry;
      try {
        return { ...entry, apiKey: await vault.open(reference) };
      } catch (error) {
        if (error instanceof GatewayError && error.status === 404) {
          throw new GatewayError(
            `provider "${entry.id}": apiKey refers to vault key "${reference}", which does not exist; \`tta-models keys list\` shows the keys there are.`,
            { status: 500, type: 'server_error', code: 'vault_reference_missing' },
          );
        }
        throw error;
      }
    }),
  );
}
