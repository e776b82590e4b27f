import { formatBytes } from '../resources/byte-size.js';
import type { PullProgress } from '../spec/local-model.js';

/**
 * Prints download progress on stderr: one line rewritten in place on a terminal,
 * otherwise a line per status change and per tenth of the download.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let lastStatus = '';
  let lastTenth = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(progress: PullProgress): void {
      const { completedBytes, totalBytes } = progress;
      const known = completedBytes !== undefined && totalBytes !== undefined && totalBytes > 0;
      const percent = known ? Math.floor((completedBytes / totalBytes) * 100) : undefined;
      const text = known
        ? `${progress.status} ${percent}% (${formatBytes(completedBytes)} of ${formatBytes(totalBytes)})`
        : progress.status;
      if (stream.isTTY) {
        // Redraw at most ten times a second.
        const now = Date.now();
        if (progress.status === lastStatus && known && percent !== 100 && now - lastDraw < 100)
          return;
        lastDraw = now;
        stream.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else {
        const tenth = percent === undefined ? -1 : Math.floor(percent / 10);
        if (progress.status === lastStatus && tenth === lastTenth) return;
        lastTenth = tenth;
        stream.write(`${text}\n`);
      }
      lastStatus = progress.status;
    },
    /** Ends the progress line. */
    done(): void {
      if (drawn) stream.write('\n');
    },
  };
}
