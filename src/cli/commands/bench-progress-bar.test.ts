import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../benchmarking/benchmark-runner.js';
import { createBenchProgressBar, formatEta, progressLine } from './bench-progress-bar.js';

const progress = (done: number, extra: Partial<RunProgress> = {}): RunProgress => ({
  runId: 'run_x',
  total: 8,
  done,
  errors: 0,
  running: 0,
  elapsedMs: 0,
  etaMs: null,
  ...extra,
});

/** A stream that keeps what is written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return {
    written,
    stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream,
  };
}

describe('the bench progress bar', () => {
  it('shows the bar, counts, errors, calls in flight and the ETA', () => {
    expect(progressLine(progress(2, { errors: 1, running: 2, etaMs: 80_000 }), 8)).toBe(
      '[##------] 2/8 25% · 1 error · 2 running · ETA 1m 20s',
    );
    expect(progressLine(progress(0), 4)).toBe('[----] 0/8 0% · ETA …');
    expect(formatEta(3_725_000)).toBe('1h 2m');
  });

  it('redraws one line on a terminal', () => {
    const { written, stream: terminal } = stream(true);
    let clock = 0;
    const bar = createBenchProgressBar(terminal, () => clock);
    bar.update(progress(1));
    bar.update(progress(2));
    clock = 200;
    bar.update(progress(3));
    bar.done();
    expect(written).toHaveLength(3);
    expect(written[0]?.startsWith('\r\x1b[2K[')).toBe(true);
    expect(written[0]).toContain(' 1/8 ');
    expect(written[1]).toContain(' 3/8 ');
    expect(written[2]).toBe('\n');
  });

  it('writes one plain line per recorded result elsewhere', () => {
    const { written, stream: log } = stream(false);
    const bar = createBenchProgressBar(log);
    bar.update(progress(1));
    bar.update(progress(1, { running: 1 }));
    bar.update(progress(2));
    bar.done();
    expect(written).toHaveLength(2);
    expect(written.every((line) => line.endsWith('\n') && !line.includes('\x1b'))).toBe(true);
  });
});
