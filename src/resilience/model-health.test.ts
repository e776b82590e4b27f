import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModelHealth, type HealthSignal } from './model-health.js';

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

  describe('shared with other replicas', () => {
    const down = () => Promise.reject(new Error('down'));
    const fine = () => Promise.resolve('ok');
    afterEach(() => vi.useRealTimers());

    function health() {
      const signals: HealthSignal[] = [];
      const model = createModelHealth({
        thresholds: { failuresToOpen: 2, halfOpenAfterMs: 10_000 },
        countsAsFailure: (error) => error instanceof Error,
        onSignal: (signal) => signals.push(signal),
      });
      return { model, signals };
    }

    it('tells of its breaker opening and of a probe closing it', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { model, signals } = health();
      for (const _ of [1, 2]) await model.run('up/m', down).catch(() => {});
      expect(signals).toEqual([
        expect.objectContaining({ model: 'up/m', kind: 'opened', durationMs: 10_000 }),
      ]);
      vi.setSystemTime(Date.now() + 10_001);
      await model.run('up/m', fine);
      expect(signals.map((signal) => signal.kind)).toEqual(['opened', 'closed']);
    });

    it("holds a model back for what is left of another replica's opening, and no longer", () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { model } = health();
      model.hear({ model: 'up/m', kind: 'opened', remainingMs: 4_000, at: Date.now() });
      expect(model.isUnwell('up/m')).toBe(true);
      expect(model.snapshot('up/m')).toMatchObject({
        breaker: 'closed',
        heldElsewhereUntil: Date.now() + 4_000,
      });
      vi.setSystemTime(Date.now() + 4_001);
      expect(model.isUnwell('up/m')).toBe(false);
      expect(model.snapshot('up/m').heldElsewhereUntil).toBeNull();
    });

    it('tells the others when a model held back by them answers here', async () => {
      const { model, signals } = health();
      model.hear({ model: 'up/m', kind: 'opened', remainingMs: 60_000, at: Date.now() });
      await model.run('up/m', fine);
      expect(model.isUnwell('up/m')).toBe(false);
      expect(signals).toEqual([expect.objectContaining({ model: 'up/m', kind: 'closed' })]);
      // Only once: the next answer is ordinary.
      await model.run('up/m', fine);
      expect(signals).toHaveLength(1);
    });

    it('closes its own breaker on a recovery seen elsewhere after it opened, not before', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { model } = health();
      const before = Date.now() - 1;
      for (const _ of [1, 2]) await model.run('up/m', down).catch(() => {});
      // A recovery older than this breaker's opening says nothing about the failures since.
      expect(model.hear({ model: 'up/m', kind: 'closed', remainingMs: 0, at: before })).toBe(false);
      expect(model.snapshot('up/m').breaker).toBe('open');
      expect(model.isUnwell('up/m')).toBe(true);

      vi.setSystemTime(Date.now() + 1_000);
      expect(model.hear({ model: 'up/m', kind: 'closed', remainingMs: 0, at: Date.now() })).toBe(
        true,
      );
      expect(model.snapshot('up/m').breaker).toBe('closed');
      expect(model.isUnwell('up/m')).toBe(false);
      expect(await model.run('up/m', fine)).toBe('ok');
    });
  });
});
