import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { GatewayConfig } from '../config/config-schema.js';
import type { Cooldowns } from '../resilience/cooldowns.js';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { ModelHealth } from '../resilience/model-health.js';
import type { LocalResources } from '../resources/local-resources.js';
import type { BenchmarkScoreSource } from '../spec/index.js';
import type { Settings } from '../storage/index.js';
import { preferencesSchema } from './preferences.js';
import type { Candidate, Preferences } from './select-models.js';
import { createSelectionService, type SelectionService } from './selection-service.js';
import { loadTaskProfiles } from './task-profile.js';

/** The settings key of a player's stored preferences. */
export function preferencesKey(owner: string): string {
  return `preferences:${owner}`;
}

/** Builds selection over the gateway's catalog, health, resources and stored preferences. */
export function createGatewaySelection(options: {
  config: Pick<GatewayConfig, 'selection'>;
  catalog: ModelCatalog;
  modelHealth: ModelHealth;
  cooldowns: Cooldowns;
  resources: LocalResources;
  settings: Settings;
  resolve: (name: string) => ChainMember;
  scores?: () => BenchmarkScoreSource | undefined;
}): SelectionService {
  const { config } = options;
  return createSelectionService({
    profiles: loadTaskProfiles(config.selection.tasks),
    policy: {
      safetyThreshold: config.selection.safetyThreshold,
      allowUnbenchmarkedForSafety: config.selection.allowUnbenchmarkedForSafety,
      excludeProviders: config.selection.excludeProviders,
      chainLength: config.selection.chainLength,
    },
    resolve: options.resolve,
    cacheMs: config.selection.cacheMs,
    sources: {
      async candidates(): Promise<Candidate[]> {
        const view = await options.catalog.browse({ refresh: 'if-missing', limits: false });
        // Every candidate in one shape (absent facts as undefined): a decision reads the
        // same fields from 500 of them, and one hidden class keeps those reads fast.
        return view.models.map(
          (item): Candidate => ({
            name: item.name,
            local: item.local,
            contextLength: item.contextLength,
            supportedParameters: item.supportedParameters,
            inputModalities: item.inputModalities,
            completionPrice: item.pricing?.completion,
            isFree: item.isFree,
          }),
        );
      },
      ...(options.scores ? { scores: options.scores } : {}),
      live(model) {
        const snapshot = options.modelHealth.snapshot(model);
        const unwell = options.modelHealth.isUnwell(model) || options.cooldowns.isCooling(model);
        if (snapshot.samples === 0 && !unwell) return undefined;
        return {
          errorRate: snapshot.errorRate,
          p95LatencyMs: snapshot.p95LatencyMs,
          samples: snapshot.samples,
          unwell,
        };
      },
      async doesNotFitNow() {
        const local = await options.resources.localModels().catch(() => []);
        return new Set(local.filter((model) => model.fits === 'no').map((model) => model.name));
      },
      async storedPreferences(owner): Promise<Preferences> {
        const stored = await options.settings.get(preferencesKey(owner));
        if (!stored) return {};
        const parsed = preferencesSchema.safeParse(JSON.parse(stored));
        return parsed.success ? parsed.data : {};
      },
    },
  });
}
