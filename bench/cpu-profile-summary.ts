/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and sums self time per function
 * and per package, so a profile of the gateway under load can be read without a browser:
 * `npx tsx bench/cpu-profile-summary.ts FILE [top]`. It also finds the stretches in which
 * the event loop was busy for 3 ms or more without a break, and what filled them: where a
 * paced load's p99 comes from.
 */
import { readFileSync } from 'node:fs';

/** The parts of a `.cpuprofile` this summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function or package, in milliseconds, and its share of the busy time. */
export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Where a script lives, shortened: a package name, `gateway:<file>`, or `node:<module>`. */
function packageOf(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return `gateway:${url.slice(dist + '/dist/'.length)}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/** Stretches of the profile busy without a break for at least `minMs`, and what filled them. */
export interface BusyStretches {
  minMs: number;
  /** Stretches this long or longer are left out (start-up, module loading). */
  maxMs: number;
  count: number;
  /** How many were left out for being `maxMs` or longer. */
  longer: number;
  totalMs: number;
  longestMs: number;
  /** Self time inside those stretches, per package. */
  packages: SelfTime[];
}

/**
 * Finds the busy stretches of at least `minMs` (idle samples end a stretch). Those of
 * `maxMs` or more are start-up and module loading, not requests: counted, not analysed.
 */
export function busyStretches(profile: CpuProfile, minMs = 3, maxMs = 100): BusyStretches {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const packages = new Map<string, number>();
  let count = 0;
  let totalMs = 0;
  let longestMs = 0;
  let longer = 0;
  let stretch: Array<{ node: number; ms: number }> = [];
  const close = (): void => {
    const ms = stretch.reduce((sum, sample) => sum + sample.ms, 0);
    if (ms >= maxMs) longer += 1;
    else if (ms >= minMs) {
      count += 1;
      totalMs += ms;
      longestMs = Math.max(longestMs, ms);
      for (const sample of stretch) {
        const frame = nodes.get(sample.node);
        const group =
          !frame || frame.url === '' ? (frame?.functionName ?? '?') : packageOf(frame.url);
        packages.set(group, (packages.get(group) ?? 0) + sample.ms);
      }
    }
    stretch = [];
  };
  profile.samples.forEach((node, index) => {
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    if (nodes.get(node)?.functionName === '(idle)') close();
    else stretch.push({ node, ms });
  });
  close();
  const shares = [...packages]
    .map(([name, ms]) => ({ name, ms, share: totalMs === 0 ? 0 : ms / totalMs }))
    .sort((a, b) => b.ms - a.ms);
  return { minMs, maxMs, count, totalMs, longestMs, longer, packages: shares };
}

/** Self time per function and per package, idle excluded, largest first. */
export function summarizeProfile(profile: CpuProfile): {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  packages: SelfTime[];
  stretches: BusyStretches;
} {
  const byNode = new Map<number, number>();
  profile.samples.forEach((node, index) => {
    byNode.set(node, (byNode.get(node) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const where = packageOf(url);
    const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const group = url === '' ? functionName : where;
    packages.set(group, (packages.get(group) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>): SelfTime[] =>
    [...map]
      .map(([name, ms]) => ({ name, ms, share: busyMs === 0 ? 0 : ms / busyMs }))
      .sort((a, b) => b.ms - a.ms);
  return {
    busyMs,
    idleMs,
    functions: sorted(functions),
    packages: sorted(packages),
    stretches: busyStretches(profile),
  };
}

/** The summary as text: the top functions and packages by self time. */
export function formatProfileSummary(
  summary: ReturnType<typeof summarizeProfile>,
  top = 40,
): string {
  const line = (entry: SelfTime): string =>
    `${entry.ms.toFixed(0).padStart(8)} ms ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`;
  const { stretches } = summary;
  return [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    '',
    'self time by package:',
    ...summary.packages.slice(0, 25).map(line),
    '',
    'self time by function:',
    ...summary.functions.slice(0, top).map(line),
    '',
    `busy without a break for ${stretches.minMs}-${stretches.maxMs} ms (what delays queued ` +
      `requests): ${stretches.count} stretches, ${stretches.totalMs.toFixed(0)} ms in all, the ` +
      `longest ${stretches.longestMs.toFixed(1)} ms (${stretches.longer} longer, start-up or ` +
      'module loading, left out); self time in them by package:',
    ...stretches.packages.slice(0, 12).map(line),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: npx tsx bench/cpu-profile-summary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfileSummary(summarizeProfile(profile), Number(top ?? 40))}\n`);
}
