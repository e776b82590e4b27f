/**
 * The local-resources part of the composition root, kept here so `gateway.ts` needs only
 * a few lines: the probe of this machine, admission and monitoring, and the
 * dependencies the provider registry passes to local providers.
 */
import path from 'node:path';
import type { ModelList } from '../catalog/model-list.js';
import type { GatewayConfig } from '../config/config-schema.js';
import type { HomePaths } from '../config/home.js';
import type { ProviderDependencies } from '../providers/provider-registry.js';
import type { Provider } from '../spec/provider.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import { createLocalResources, isLocalProvider, type LocalResources } from './local-resources.js';
import { createSystemProbe, type SystemProbe } from './system-probe.js';

/** Options of {@link createGatewayResources}; getters are read after the gateway is built. */
export interface GatewayResourcesOptions {
  config: GatewayConfig;
  paths: HomePaths;
  logger: Logger;
  /** A probe to use instead of this machine's (tests). */
  probe?: SystemProbe;
  providers(): readonly Provider[];
  models(): ModelList;
  metrics(): GatewayMetrics;
}

/** What the gateway wires in. */
export interface GatewayResources {
  /** Probe, admission, monitor, reports. */
  local: LocalResources;
  /** What the provider registry passes to every provider it builds. */
  providerDependencies: ProviderDependencies;
  /** Starts the monitor when a local provider is configured. */
  start(): void;
}

/** Builds the resources part of a gateway. */
export function createGatewayResources(options: GatewayResourcesOptions): GatewayResources {
  const modelsHome = path.join(options.paths.home, 'models');
  const localModelsDir =
    options.config.providers.find((entry) => entry.type === 'embedded' && entry.modelsDir)
      ?.modelsDir ?? modelsHome;
  const local = createLocalResources({
    config: options.config.resources,
    probe: options.probe ?? createSystemProbe({ modelsDir: localModelsDir }),
    providers: options.providers,
    get metrics() {
      return options.metrics();
    },
    logger: options.logger,
    cloudModels: async () => {
      const cloud = new Set(
        options
          .providers()
          .filter((provider) => !isLocalProvider(provider) && provider.type !== 'ollama')
          .map((provider) => provider.id),
      );
      const listings = await options.models().all();
      const cards = listings
        .filter((listing) => cloud.has(listing.providerId))
        .flatMap((listing) => listing.models);
      // Free models first: the cheapest way to keep a session going.
      const free = (card: object) => ((card as { isFree?: boolean }).isFree === true ? 0 : 1);
      return cards
        .sort((left, right) => free(left) - free(right))
        .map((card) => `${card.providerId}/${card.id}`);
    },
  });
  return {
    local,
    providerDependencies: { modelsHome, local: local.hooks },
    start() {
      if (options.providers().some(isLocalProvider)) local.monitor.start();
    },
  };
}
