/**
 * What changed between two versions of a model, in words an administrator reads at a
 * glance: "context 128k → 64k, prompt price $0.15 → $0.20 per M, tools support dropped".
 * Each change says whether it breaks requests that worked before. Pure functions.
 */
import type { ModelPricing } from '../spec/model-card.js';
import type { VersionChange, VersionFacts } from '../spec/model-version.js';
import { isoDay, shortDigest } from './version-facts.js';

/** Facts to compare: a version's, or a catalog card's (which has no identity source). */
export type ComparableFacts = Omit<VersionFacts, 'source'> & Partial<Pick<VersionFacts, 'source'>>;

/** Parameters whose loss makes requests that used them fail, with their names in words. */
export const capabilityParameters: Readonly<Record<string, string>> = {
  tools: 'tools',
  tool_choice: 'tool choice',
  response_format: 'JSON mode',
  structured_outputs: 'structured outputs',
};

const priceFields: ReadonlyArray<{ field: keyof ModelPricing; words: string; unit: string }> = [
  { field: 'prompt', words: 'prompt price', unit: 'per M' },
  { field: 'completion', words: 'completion price', unit: 'per M' },
  { field: 'request', words: 'request price', unit: 'per request' },
  { field: 'image', words: 'image price', unit: 'per image' },
];

/** Every difference from `before` to `after`, most important first. */
export function describeChanges(before: ComparableFacts, after: ComparableFacts): VersionChange[] {
  const changes: VersionChange[] = [];
  const push = (change: VersionChange) => changes.push(change);

  if (before.contextLength !== after.contextLength) {
    push({
      field: 'contextLength',
      from: tokensOrNull(before.contextLength),
      to: tokensOrNull(after.contextLength),
      text: `context ${tokensOrUnknown(before.contextLength)} → ${tokensOrUnknown(after.contextLength)}`,
      breaking: shrank(before.contextLength, after.contextLength),
    });
  }
  for (const { field, words, unit } of priceFields) {
    const old = before.pricing?.[field];
    const now = after.pricing?.[field];
    if (old === now) continue;
    const perMillion = unit === 'per M';
    push({
      field: `pricing.${field}`,
      from: old === undefined ? null : formatUsd(old, perMillion),
      to: now === undefined ? null : formatUsd(now, perMillion),
      text: `${words} ${old === undefined ? 'unknown' : formatUsd(old, perMillion)} → ${now === undefined ? 'unknown' : formatUsd(now, perMillion)} ${unit}`,
      breaking: false,
      costlier: (now ?? 0) > (old ?? 0),
    });
  }
  if (before.maxOutputTokens !== after.maxOutputTokens) {
    push({
      field: 'maxOutputTokens',
      from: tokensOrNull(before.maxOutputTokens),
      to: tokensOrNull(after.maxOutputTokens),
      text: `max output ${tokensOrUnknown(before.maxOutputTokens)} → ${tokensOrUnknown(after.maxOutputTokens)}`,
      breaking: shrank(before.maxOutputTokens, after.maxOutputTokens),
    });
  }
  changes.push(...parameterChanges(before.supportedParameters, after.supportedParameters));
  changes.push(...modalityChanges('input', before.inputModalities, after.inputModalities));
  changes.push(...modalityChanges('output', before.outputModalities, after.outputModalities));
  if (before.family !== after.family && before.family !== undefined) {
    push(textChange('family', before.family, after.family, 'family', true));
  }
  if (before.parameterCount !== after.parameterCount && before.parameterCount !== undefined) {
    push({
      field: 'parameterCount',
      from: formatParameters(before.parameterCount),
      to: after.parameterCount === undefined ? null : formatParameters(after.parameterCount),
      text: `parameters ${formatParameters(before.parameterCount)} → ${after.parameterCount === undefined ? 'unknown' : formatParameters(after.parameterCount)}`,
      breaking: true,
    });
  }
  if (before.quantisation !== after.quantisation && before.quantisation !== undefined) {
    push(textChange('quantisation', before.quantisation, after.quantisation, 'quantisation'));
  }
  if (before.canonicalSlug !== after.canonicalSlug && before.canonicalSlug !== undefined) {
    push(textChange('canonicalSlug', before.canonicalSlug, after.canonicalSlug, 'canonical slug'));
  }
  if (before.created !== after.created && before.created !== undefined) {
    const from = isoDay(before.created * 1000);
    const to = after.created === undefined ? 'unknown' : isoDay(after.created * 1000);
    push({
      field: 'created',
      from,
      to,
      text: from === to ? 're-released the same day' : `re-released (created ${from} → ${to})`,
      breaking: false,
    });
  }
  if (before.digest !== after.digest && before.digest !== undefined) {
    push({
      field: 'digest',
      from: before.digest,
      to: after.digest ?? null,
      text: `digest ${shortDigest(before.digest)} → ${after.digest ? shortDigest(after.digest) : 'none'}`,
      breaking: false,
    });
  }
  if (before.sha256 !== after.sha256 && before.sha256 !== undefined) {
    push({
      field: 'sha256',
      from: before.sha256,
      to: after.sha256 ?? null,
      text: `file sha256 ${before.sha256.slice(0, 12)} → ${(after.sha256 ?? 'none').slice(0, 12)}`,
      breaking: false,
    });
  }
  if (before.size !== after.size && before.size !== undefined && after.size !== undefined) {
    push({
      field: 'size',
      from: formatBytes(before.size),
      to: formatBytes(after.size),
      text: `size ${formatBytes(before.size)} → ${formatBytes(after.size)}`,
      breaking: false,
    });
  }
  if (before.reportedModel !== after.reportedModel && before.reportedModel !== undefined) {
    push(
      textChange(
        'reportedModel',
        `"${before.reportedModel}"`,
        `"${after.reportedModel}"`,
        'reports model',
      ),
    );
  }
  return changes;
}

/** The changes as one line; `fallback` when there are none. */
export function summarizeChanges(
  changes: readonly VersionChange[],
  fallback = 'no visible change',
): string {
  return changes.length === 0 ? fallback : changes.map((change) => change.text).join(', ');
}

/** Capabilities `to` lacks that `from` had (context, capability parameters, modalities); none means compatible. */
export function capabilityLosses(from: ComparableFacts, to: ComparableFacts): string[] {
  const losses: string[] = [];
  if (shrank(from.contextLength, to.contextLength))
    losses.push(
      `context ${tokensOrUnknown(from.contextLength)} → ${tokensOrUnknown(to.contextLength)}`,
    );
  if (shrank(from.maxOutputTokens, to.maxOutputTokens))
    losses.push(
      `max output ${tokensOrUnknown(from.maxOutputTokens)} → ${tokensOrUnknown(to.maxOutputTokens)}`,
    );
  if (from.supportedParameters !== undefined && to.supportedParameters !== undefined) {
    for (const [parameter, words] of Object.entries(capabilityParameters)) {
      if (
        from.supportedParameters.includes(parameter) &&
        !to.supportedParameters.includes(parameter)
      )
        losses.push(`no ${words} support`);
    }
  }
  for (const side of ['input', 'output'] as const) {
    const before = side === 'input' ? from.inputModalities : from.outputModalities;
    const after = side === 'input' ? to.inputModalities : to.outputModalities;
    if (before === undefined || after === undefined) continue;
    for (const modality of before)
      if (!after.includes(modality)) losses.push(`no ${modality} ${side}`);
  }
  return losses;
}

/** `info`, `warning` (costlier) or `breaking` (a capability lost). */
export function severityOf(changes: readonly VersionChange[]): 'info' | 'warning' | 'breaking' {
  if (changes.some((change) => change.breaking)) return 'breaking';
  if (changes.some((change) => change.costlier)) return 'warning';
  return 'info';
}

/** Tokens as people write them: 131072 → `128k`, 128000 → `128k`, 8000 → `8k`, 512 → `512`. */
export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(tokens);
  if (tokens % 1000 === 0) return `${tokens / 1000}k`;
  if (tokens % 1024 === 0) return `${tokens / 1024}k`;
  return `${Math.round(tokens / 1000)}k`;
}

/** USD: per token shown per million tokens (`$0.15`), else as is; `$0` for free. */
export function formatUsd(usd: number, perMillionTokens: boolean): string {
  const amount = perMillionTokens ? usd * 1_000_000 : usd;
  if (amount === 0) return '$0';
  const digits = amount >= 0.01 ? 2 : 4;
  // Enough digits to show the change, without float noise (0.15000000000000002).
  const text = Number(amount.toFixed(Math.max(digits, 6))).toString();
  const [whole, fraction = ''] = text.split('.');
  return `$${whole}.${fraction.padEnd(digits, '0')}`;
}

/** Bytes as `4.7 GB`, `512 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** 8_030_000_000 → `8B`, 494_030_000 → `494M`. */
export function formatParameters(count: number): string {
  if (count >= 1e9) return `${Number((count / 1e9).toFixed(1))}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return String(count);
}

function parameterChanges(
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
): VersionChange[] {
  if (before === undefined || after === undefined) return [];
  const changes: VersionChange[] = [];
  const dropped = before.filter((parameter) => !after.includes(parameter));
  const added = after.filter((parameter) => !before.includes(parameter));
  // Capabilities in a fixed order; tool choice goes without saying when tools do.
  const capabilities = Object.keys(capabilityParameters);
  const mentioned = (list: string[]) =>
    capabilities.filter(
      (parameter) =>
        list.includes(parameter) && !(parameter === 'tool_choice' && list.includes('tools')),
    );
  for (const parameter of mentioned(dropped)) {
    const words = capabilityParameters[parameter];
    if (words === undefined) continue;
    changes.push({
      field: `supportedParameters.${parameter}`,
      from: 'supported',
      to: null,
      text: `${words} support dropped`,
      breaking: true,
    });
  }
  for (const parameter of mentioned(added)) {
    const words = capabilityParameters[parameter];
    if (words === undefined) continue;
    changes.push({
      field: `supportedParameters.${parameter}`,
      from: null,
      to: 'supported',
      text: `${words} support added`,
      breaking: false,
    });
  }
  const otherDropped = dropped.filter((parameter) => capabilityParameters[parameter] === undefined);
  const otherAdded = added.filter((parameter) => capabilityParameters[parameter] === undefined);
  if (otherDropped.length > 0) {
    changes.push({
      field: 'supportedParameters',
      from: otherDropped.join(','),
      to: null,
      text: `parameters dropped: ${otherDropped.join(', ')}`,
      breaking: false,
    });
  }
  if (otherAdded.length > 0) {
    changes.push({
      field: 'supportedParameters',
      from: null,
      to: otherAdded.join(','),
      text: `parameters added: ${otherAdded.join(', ')}`,
      breaking: false,
    });
  }
  return changes;
}

function modalityChanges(
  side: 'input' | 'output',
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
): VersionChange[] {
  if (before === undefined || after === undefined) return [];
  return [
    ...before
      .filter((modality) => !after.includes(modality))
      .map((modality) => ({
        field: `${side}Modalities.${modality}`,
        from: modality,
        to: null,
        text: `${modality} ${side} dropped`,
        breaking: true,
      })),
    ...after
      .filter((modality) => !before.includes(modality))
      .map((modality) => ({
        field: `${side}Modalities.${modality}`,
        from: null,
        to: modality,
        text: `${modality} ${side} added`,
        breaking: false,
      })),
  ];
}

function textChange(
  field: string,
  from: string,
  to: string | undefined,
  words: string,
  breaking = false,
): VersionChange {
  return { field, from, to: to ?? null, text: `${words} ${from} → ${to ?? 'unknown'}`, breaking };
}

/** True when a known limit became smaller (a limit that became unknown is not counted). */
function shrank(before: number | undefined, after: number | undefined): boolean {
  return before !== undefined && after !== undefined && after < before;
}

function tokensOrNull(tokens: number | undefined): string | null {
  return tokens === undefined ? null : formatTokens(tokens);
}

function tokensOrUnknown(tokens: number | undefined): string {
  return tokens === undefined ? 'unknown' : formatTokens(tokens);
}
