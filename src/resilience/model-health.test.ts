import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createModelHealth } from './model-health.js';

describe('model health', () => {
  it('calls a model unwell exactly when its snapshot says degraded (breaker closed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.record({
          minimumSamples: fc.integer({ min: 1, max: 12 }),
          degradedErrorRate: fc.constantFrom(0, 0.2, 0.5, 0.9),
          // 0: every answer is slow (its latency is above 0 ms); huge: none is.
          degradedP95Ms: fc.constantFrom(0, 1e9),
          window: fc.integer({ min: 5, max: 30 }),
        }),
        async (outcomes, thresholds) => {
          const health = createModelHealth({
            // A breaker that never opens: only degradation is under test.
            thresholds: { ...thresholds, failuresToOpen: 1_000_000 },
            countsAsFailure: (error) => error instanceof Error,
          });
          for (const ok of outcomes) {
            const call = () => (ok ? Promise.resolve('ok') : Promise.reject(new Error('down')));
            await health.run('up/model', call).catch(() => undefined);
            expect(health.isUnwell('up/model')).toBe(health.snapshot('up/model').degraded);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
