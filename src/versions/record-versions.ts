/**
 * Records versions as they are seen: after a provider's catalog sync (OpenRouter cards,
 * Ollama digests, GGUF files) and when a custom provider's answers report another model.
 * Each change is stored with its notices in one transaction, then announced.
 */
import os from 'node:os';
import path from 'node:path';
import type { CatalogItem } from '../catalog/filter-catalog.js';
import type { ProviderConfig } from '../config/config-schema.js';
import type { Provider } from '../spec/index.js';
import type { VersionFacts } from '../spec/model-version.js';
import type {
  ModelCatalogStore,
  ModelVersionRecord,
  ModelVersionStore,
  StoredCatalogEntry,
  VersionNoticeRecord,
} from '../storage/index.js';
import { scanGgufVersions } from './gguf-versions.js';
import { suggestMigrationTarget } from './migration-target.js';
import type { NoticeOutlet } from './notice-outlet.js';
import { type ObservedVersion, planReconcile } from './plan-reconcile.js';
import { ollamaFacts, openRouterFacts, reportedFacts } from './version-facts.js';
import { providerOf, type VersionRegistry } from './version-registry.js';

/** What the recorder reads and writes. */
export interface VersionRecorderOptions {
  store: Pick<ModelVersionStore, 'list' | 'apply'>;
  catalogStore: Pick<ModelCatalogStore, 'list'>;
  catalogItems: () => Promise<CatalogItem[]>;
  providers: ReadonlyMap<string, Provider>;
  providerConfigs: readonly ProviderConfig[];
  /** The gateway's home folder (embedded providers default to its `models` folder). */
  home: string;
  registry: VersionRegistry;
  outlet: NoticeOutlet;
  /** Run after every recorded change (conflict resolution). */
  afterChange: () => Promise<unknown>;
  now: () => number;
  horizonDays: number;
  quality?: (model: string) => number | undefined;
  hashFile?: (file: string) => Promise<string>;
}

/** Creates the recorder. */
export function createVersionRecorder(options: VersionRecorderOptions) {
  const { store, registry, outlet, now } = options;

  function migrationHint(
    items: readonly CatalogItem[],
    model: string,
    facts: VersionFacts | undefined,
  ): string | undefined {
    const item = items.find((candidate) => candidate.name === model);
    const suggestion = suggestMigrationTarget(
      {
        name: model,
        providerId: providerOf(model),
        facts: facts ?? {},
        ...(item?.isFree === undefined ? {} : { isFree: item.isFree }),
      },
      items,
      {
        now: now(),
        horizonDays: options.horizonDays,
        ...(options.quality ? { quality: options.quality } : {}),
      },
    );
    if (!suggestion) return undefined;
    const command =
      registry.dependents(model).length > 0
        ? ` — \`tta-models versions migrate ${model} --to ${suggestion.model} --reason "…"\``
        : '';
    return `suggested migration: ${suggestion.model} (${suggestion.reasons.join(', ')})${command}`;
  }

  function modelsDirOf(providerId: string): string {
    const entry = options.providerConfigs.find((candidate) => candidate.id === providerId);
    return entry?.modelsDir
      ? path.resolve(entry.modelsDir.replace(/^~(?=$|\/)/, os.homedir()))
      : path.join(options.home, 'models');
  }

  /** What one provider's listing says of its versions (undefined: versioned by answers only). */
  async function observedVersions(
    provider: Provider,
    entries: readonly StoredCatalogEntry[],
    known: readonly ModelVersionRecord[],
  ): Promise<ObservedVersion[] | undefined> {
    const name = (id: string) => `${provider.id}/${id}`;
    switch (provider.type) {
      case 'openrouter':
        return entries.map((entry) => ({
          model: name(entry.card.id),
          facts: openRouterFacts(entry.card, entry.raw),
        }));
      case 'ollama':
        return entries.flatMap((entry) => {
          const facts = ollamaFacts(entry.card, entry.raw);
          return facts ? [{ model: name(entry.card.id), facts }] : [];
        });
      case 'embedded': {
        const previous = new Map<string, VersionFacts>();
        for (const version of known)
          if (version.current)
            previous.set(version.model.slice(provider.id.length + 1), version.facts);
        const scanned = await scanGgufVersions({
          folder: modelsDirOf(provider.id),
          previous,
          ...(options.hashFile ? { hash: options.hashFile } : {}),
        });
        return scanned.map((file) => ({ model: name(file.modelId), facts: file.facts }));
      }
      default:
        return undefined;
    }
  }

  return {
    /** Holds a provider's stored catalog against the registry; returns the notices added. */
    async reconcileProvider(providerId: string): Promise<VersionNoticeRecord[]> {
      const provider = options.providers.get(providerId);
      if (!provider) return [];
      const [entries, known, items] = await Promise.all([
        options.catalogStore.list([providerId]),
        store.list({ providerId }),
        options.catalogItems(),
      ]);
      const observed = await observedVersions(provider, entries, known);
      const listed = new Set<string>([
        ...entries.map((entry) => `${providerId}/${entry.card.id}`),
        ...(observed ?? []).map((entry) => entry.model),
      ]);
      const added = await store.apply(
        planReconcile({
          providerId,
          observed,
          listed,
          registry: known,
          now: now(),
          dependents: registry.dependents,
          migrationHint: (model, facts) => migrationHint(items, model, facts),
          delivery: outlet.delivery,
        }),
      );
      await registry.reload();
      outlet.announce(added);
      await options.afterChange();
      return added;
    },

    /** Records the model a custom provider's answer reported, when it is new. */
    async recordReported(model: string, reported: string): Promise<void> {
      const providerId = providerOf(model);
      const [known, entries] = await Promise.all([
        store.list({ model }),
        options.catalogStore.list([providerId]),
      ]);
      const serving = known.find((version) => version.current);
      if (serving?.facts.reportedModel !== reported) {
        const card = entries.find((entry) => `${providerId}/${entry.card.id}` === model)?.card;
        const added = await store.apply(
          planReconcile({
            providerId,
            observed: [{ model, facts: reportedFacts(reported, card) }],
            listed: new Set([model]),
            registry: known,
            now: now(),
            dependents: registry.dependents,
            migrationHint: () => undefined,
            delivery: outlet.delivery,
          }),
        );
        await registry.reload();
        outlet.announce(added);
        await options.afterChange();
      }
      await registry.reload();
    },
  };
}

/** The version recorder. */
export type VersionRecorder = ReturnType<typeof createVersionRecorder>;
