/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and sums self time per function
 * and per package, so a profile of the gateway under load can be read without a browser:
 * `npx tsx bench/cpu-profile-summary.ts FILE [top]`.
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

/** Self time per function and per package, idle excluded, largest first. */
export function summarizeProfile(profile: CpuProfile): {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  packages: SelfTime[];
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
  return { busyMs, idleMs, functions: sorted(functions), packages: sorted(packages) };
}

/** The summary as text: the top functions and packages by self time. */
export function formatProfileSummary(
  summary: ReturnType<typeof summarizeProfile>,
  top = 40,
): string {
  const line = (entry: SelfTime): string =>
    `${entry.ms.toFixed(0).padStart(8)} ms ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`;
  return [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    '',
    'self time by package:',
    ...summary.packages.slice(0, 25).map(line),
    '',
    'self time by function:',
    ...summary.functions.slice(0, top).map(line),
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
