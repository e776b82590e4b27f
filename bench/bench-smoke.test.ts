/**
 * The CI smoke version of `npm run bench`: a few seconds of the overhead bench, failing only
 * on gross regressions. The real figures and goals stay in the bench itself; these bounds
 * are far below them, so a noisy shared machine does not fail the build.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TargetFigures } from './figures.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Throughput below this share of the floor's is a gross regression (the goal is 0.5). */
const minimumSaturationRatio = 0.25;
/** A stream whose chunks arrive bunched to under half their spread is being buffered. */
const minimumStreamSpreadRatio = 0.5;

describe('bench smoke (npm run bench -- --quick)', () => {
  it('keeps the gateway, every feature on, above a quarter of the floor and answering everything', {
    timeout: 240_000,
  }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join('bench', 'gateway-overhead.ts'), '--quick', '--json'],
      { cwd: repositoryRoot, maxBuffer: 64 * 1024 * 1024, timeout: 220_000 },
    );
    const { figures } = JSON.parse(stdout) as {
      figures: Record<'direct' | 'floor' | 'gateway' | 'plain', TargetFigures>;
    };
    const { floor, gateway, direct } = figures;
    const summary = {
      floorRps: Math.round(floor.saturationRps),
      gatewayRps: Math.round(gateway.saturationRps),
      ratio: Number((gateway.saturationRps / floor.saturationRps).toFixed(2)),
      streamSpreadRatio: Number((gateway.chunkSpreadMs / direct.chunkSpreadMs).toFixed(2)),
      gatewayErrors: gateway.errors,
    };
    console.log(`bench smoke: ${JSON.stringify(summary)}`);
    expect(summary.gatewayErrors).toBe(0);
    expect(summary.ratio).toBeGreaterThanOrEqual(minimumSaturationRatio);
    expect(summary.streamSpreadRatio).toBeGreaterThanOrEqual(minimumStreamSpreadRatio);
  });
});
