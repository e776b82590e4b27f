import type { RunProgress } from '../../benchmarking/benchmark-runner.js';

/** `1h 5m`, `3m 20s`, `45s`. */
export function formatEta(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${seconds}s`;
}

/** One progress line: bar, counts, errors, calls in flight, ETA. */
export function progressLine(progress: RunProgress, width = 24): string {
  const share = progress.total === 0 ? 1 : progress.done / progress.total;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const parts = [
    `${bar} ${progress.done}/${progress.total} ${Math.floor(share * 100)}%`,
    ...(progress.errors > 0 ? [`${progress.errors} error${progress.errors === 1 ? '' : 's'}`] : []),
    ...(progress.running > 0 ? [`${progress.running} running`] : []),
    progress.etaMs === null ? 'ETA …' : `ETA ${formatEta(progress.etaMs)}`,
  ];
  return parts.join(' · ');
}

/**
 * The run's progress on stderr. On a terminal one line is redrawn in place (at most
 * ten times a second); otherwise (a log, a pipe) a line is written whenever a result
 * is recorded, so logs show the pace without control characters.
 */
export function createBenchProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
) {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastDone = -1;
  let drawn = false;
  return {
    update(progress: RunProgress): void {
      if (stream.isTTY) {
        const at = now();
        if (progress.done !== progress.total && at - lastDraw < 100) return;
        lastDraw = at;
        stream.write(`\r\x1b[2K${progressLine(progress)}`);
        drawn = true;
        return;
      }
      if (progress.done === lastDone) return;
      lastDone = progress.done;
      stream.write(`${progressLine(progress)}\n`);
    },
    /** Ends the line being redrawn. */
    done(): void {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
