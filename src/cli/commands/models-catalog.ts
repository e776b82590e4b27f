/**
 * `tta-models models` and its subcommands: browse the catalog with filters (free models
 * first and marked), sync it now, and show one model with the warning due for a free one.
 */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatAge } from '../../catalog/catalog-status.js';
import {
  type CatalogFilter,
  type CatalogItem,
  catalogSorts,
} from '../../catalog/filter-catalog.js';
import type { CatalogMeta, CatalogRefresh } from '../../catalog/model-catalog.js';
import { taskCatalogFilter } from '../../selection/task-catalog-filter.js';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { printTable } from '../print-table.js';

/** Options of `tta-models models`. */
export interface ModelsOptions {
  config?: string;
  json?: boolean;
  free?: boolean;
  paid?: boolean;
  local?: boolean;
  provider?: string;
  modality?: string;
  minContext?: number;
  maxPrice?: number;
  requires?: string[];
  search?: string;
  sort?: CatalogFilter['sort'];
  task?: string;
  minScore?: number;
  limit?: number;
  offline?: boolean;
  refresh?: boolean;
}

function parsePrice(value: string): number {
  const price = Number(value);
  if (!Number.isFinite(price) || price < 0)
    throw new InvalidArgumentError('expected a price in USD per million tokens, e.g. 0.5');
  return price;
}

function parseScore(value: string): number {
  const score = Number(value);
  if (!Number.isFinite(score) || score < 0 || score > 1)
    throw new InvalidArgumentError('expected a benchmark quality from 0 to 1, e.g. 0.7');
  return score;
}

function parseList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** Adds the catalog filters to `tta-models models`. */
export function addCatalogOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--free',
        'free models only (OpenRouter free variants, zero-priced and local models)',
      ).conflicts('paid'),
    )
    .option('--paid', 'paid models only')
    .option('--local', 'models that run on this machine only')
    .option('--provider <provider>', 'a provider id, a provider type or a publisher (meta-llama)')
    .option('--modality <modality>', 'models that read or write this, e.g. image')
    .option('--min-context <tokens>', 'smallest context window, in tokens', parsePositiveInteger)
    .option('--max-price <usd>', 'highest price in USD per million tokens (in and out)', parsePrice)
    .option('--requires <parameters>', 'supported parameters, e.g. tools,json', parseList)
    .option('--search <words>', 'words that must appear in the name or description')
    .option('--task <task>', 'only models task-aware selection finds suitable for this task')
    .option(
      '--min-score <0-1>',
      'lowest benchmark quality on --task (never benchmarked: left out)',
      parseScore,
    )
    .addOption(
      new Option(
        '--sort <order>',
        'default: free first; or by name, price, context, newest, score (benchmark quality on --task)',
      ).choices(catalogSorts),
    )
    .option('--limit <n>', 'show at most n models', parsePositiveInteger)
    .option('--offline', 'show the stored catalog without syncing anything')
    .option('--refresh', 'sync every provider before showing');
}

function filterOf(options: ModelsOptions): CatalogFilter {
  const filter: CatalogFilter = {};
  if (options.free) filter.free = true;
  if (options.paid) filter.free = false;
  if (options.local) filter.local = true;
  if (options.provider !== undefined) filter.provider = options.provider;
  if (options.modality !== undefined) filter.modality = options.modality;
  if (options.minContext !== undefined) filter.minContext = options.minContext;
  if (options.maxPrice !== undefined) filter.maxPrice = options.maxPrice;
  if (options.requires !== undefined) filter.requires = options.requires;
  if (options.search !== undefined) filter.search = options.search;
  if (options.sort !== undefined) filter.sort = options.sort;
  if (options.minScore !== undefined) filter.minScore = options.minScore;
  return filter;
}

/** `$0.15/$0.60` per million tokens, `FREE`, `FREE (local)`, or `?`. */
export function costLabel(item: CatalogItem): string {
  if (item.isFree) return item.local ? 'FREE (local)' : 'FREE';
  const prompt = item.pricing?.prompt;
  const completion = item.pricing?.completion;
  if (prompt === undefined || completion === undefined) return '?';
  const perMillion = (price: number) => {
    const dollars = price * 1_000_000;
    // Some models cost fractions of a cent per million tokens: keep them distinguishable from zero.
    return `$${dollars > 0 && dollars < 0.01 ? Number(dollars.toPrecision(2)) : dollars.toFixed(2)}`;
  };
  return `${perMillion(prompt)}/${perMillion(completion)}`;
}

function notesOf(item: CatalogItem): string {
  const notes: string[] = [];
  const parameters = new Set(item.supportedParameters ?? []);
  if (parameters.has('tools')) notes.push('tools');
  if (parameters.has('response_format') || parameters.has('structured_outputs')) notes.push('json');
  if (item.outputModalities?.includes('image')) notes.push('makes images');
  if (item.quantisation) notes.push(item.quantisation);
  if (item.size) notes.push(`${(item.size / 1e9).toFixed(1)} GB`);
  if (item.expiresAt) notes.push(`expires ${item.expiresAt}`);
  return notes.join(', ');
}

function printNotices(meta: CatalogMeta): void {
  for (const notice of meta.notices) process.stderr.write(`note: ${notice}\n`);
}

async function listModels(options: ModelsOptions): Promise<void> {
  const filter = filterOf(options);
  const refresh: CatalogRefresh = options.offline
    ? 'never'
    : options.refresh
      ? 'always'
      : 'if-stale';
  const gateway = await openGateway(options);
  try {
    const forTask = options.task
      ? await taskCatalogFilter(
          gateway.selection,
          gateway.benchmarks.scores,
          options.task,
          'operator',
        )
      : {};
    const view = await gateway.catalog.browse({ filter: { ...filter, ...forTask }, refresh });
    const models = options.limit === undefined ? view.models : view.models.slice(0, options.limit);
    const problems = view.meta.providers
      .filter((status) => status.error !== undefined)
      .map((status) => ({ providerId: status.providerId, error: status.error }));
    if (options.json) return printJson({ models, meta: view.meta, problems });
    printTable(
      ['MODEL', 'COST $/1M IN/OUT', 'CONTEXT', 'READS', 'NOTES'],
      models.map((item) => [
        item.name,
        costLabel(item),
        item.contextLength === undefined ? '' : item.contextLength.toLocaleString('en'),
        (item.inputModalities ?? []).join(','),
        notesOf(item),
      ]),
    );
    const lines = [
      `${models.length} of ${view.meta.total} models${models.length < view.meta.shown ? ` (${view.meta.shown} match)` : ''}.`,
    ];
    for (const limits of view.meta.freeLimits) {
      lines.push(`Free ${limits.providerId} models: ${limits.summary}.`);
      if (limits.note) lines.push(`  (${limits.note})`);
    }
    if (models.some((item) => item.isFree && !item.local))
      lines.push(
        '`tta-models models show <model>` shows the limits and alternatives of one model.',
      );
    process.stdout.write(`\n${lines.join('\n')}\n`);
    printNotices(view.meta);
  } finally {
    await gateway.close();
  }
}

/** Registers `models sync` and `models show`. */
export function addCatalogSubcommands(models: Command): void {
  // The parent's options (--config, --json, --offline ...) are parsed by the parent,
  // wherever they stand on the line: subcommands read them with optsWithGlobals().
  models
    .command('sync')
    .description(
      'download the catalogs now (every provider, or the ones named); a failed or cut-short download keeps the last good one',
    )
    .argument('[providers...]', 'provider ids from config.yaml (default: all)')
    .option('--force', 'store a download even when it lost more than half of the models')
    .action(async (providerIds: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{
        force?: boolean;
        config?: string;
        json?: boolean;
      }>();
      const gateway = await openGateway(options);
      try {
        const result = await gateway.catalog.sync({
          ...(providerIds.length > 0 ? { providerIds } : {}),
          ...(options.force ? { force: true } : {}),
        });
        if (!result.ok) process.exitCode = 1;
        if (options.json) return printJson(result);
        printTable(
          ['PROVIDER', 'RESULT', 'MODELS', 'ADDED', 'CHANGED', 'REMOVED', 'SKIPPED'],
          result.providers.map((provider) => [
            provider.providerId,
            provider.status,
            String(provider.models),
            String(provider.added.length),
            String(provider.changed.length),
            String(provider.removed.length),
            String(provider.skipped.length),
          ]),
        );
        for (const provider of result.providers) {
          if (provider.error === undefined) continue;
          const kept =
            provider.syncedAt === undefined
              ? 'no catalog is stored yet'
              : `kept the catalog of ${new Date(provider.syncedAt).toISOString()}`;
          process.stderr.write(`error: ${provider.error} (${kept})\n`);
        }
      } finally {
        await gateway.close();
      }
    });

  models
    .command('show')
    .description('one model in full; for a free model: its limits and the nearest alternatives')
    .argument('<model>', 'the full name, e.g. openrouter/meta-llama/llama-3.3-70b-instruct:free')
    .action(async (name: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{
        offline?: boolean;
        config?: string;
        json?: boolean;
      }>();
      const gateway = await openGateway(options);
      try {
        const details = await gateway.catalog.describe(name, {
          refresh: options.offline ? 'never' : 'if-stale',
        });
        if (options.json) return printJson(details);
        const { model, notice, meta } = details;
        const status = meta.providers.find(
          (candidate) => candidate.providerId === model.providerId,
        );
        const rows: Array<[string, string]> = [
          ['model', model.name],
          ['name', model.displayName ?? model.id],
          ['cost ($/1M in/out)', costLabel(model)],
          ['context', model.contextLength?.toLocaleString('en') ?? 'unknown'],
          ['max output', model.maxOutputTokens?.toLocaleString('en') ?? 'unknown'],
          ['reads', (model.inputModalities ?? ['unknown']).join(', ')],
          ['writes', (model.outputModalities ?? ['unknown']).join(', ')],
          ['parameters', (model.supportedParameters ?? ['unknown']).join(', ')],
        ];
        if (model.expiresAt) rows.push(['expires', model.expiresAt]);
        if (status?.syncedAt !== undefined)
          rows.push(['catalog', `synced ${formatAge(status.ageMs ?? 0)} ago (${status.state})`]);
        printTable(['FIELD', 'VALUE'], rows);
        if (model.description) process.stdout.write(`\n${model.description}\n`);
        if (notice) {
          process.stdout.write(`\nWarning: ${notice.warning}\n`);
          for (const alternative of notice.alternatives)
            process.stdout.write(`  - ${alternative.name}: ${alternative.reason}\n`);
        }
        printNotices(meta);
      } finally {
        await gateway.close();
      }
    });
}

/** The action of `tta-models models`. */
export const listCatalogAction = listModels;
