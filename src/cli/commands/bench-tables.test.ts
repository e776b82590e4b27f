import { describe, expect, it } from 'vitest';
import { comparisonResults } from '../../benchmarking/__fixtures__/comparison-results.js';
import { compareModels } from '../../benchmarking/compare-models.js';
import { summariseResults } from '../../benchmarking/run-summary.js';
import { formatComparison, formatSummary } from './bench-tables.js';

describe('bench tables on fixture data', () => {
  it('prints the comparison side by side with differences, p-values and the test used', () => {
    const lines = formatComparison(compareModels(['a/base', 'b/fast'], comparisonResults));
    expect(lines.slice(0, 7)).toEqual([
      'TASK                  MODEL   N   QUALITY  PASS  SAFETY  P50     COST/SCENARIO  Δ QUALITY  Δ PASS   P',
      'crisis_screening      a/base  8   1.00     100%  100%    1.6 s   $0.002         baseline',
      '                      b/fast  8   0.63     25%   25%     400 ms  —              -0.38      -75 pts  0.031 *',
      'narrative_generation  a/base  4   1.00     100%  —       1.6 s   $0.002         baseline',
      '                      b/fast  4   1.00     100%  —       400 ms  —              +0.00      +0 pts   1.000',
      'overall               a/base  12  1.00     100%  100%    1.6 s   $0.002         baseline',
      '                      b/fast  12  0.75     50%   25%     400 ms  —              -0.25      -50 pts  0.031 *',
    ]);
    expect(lines).toContain('Δ: difference from a/base. * significant at p < 0.05.');
    expect(lines.find((line) => line.startsWith('Test: '))).toContain(
      'paired permutation (sign-flip) test',
    );
  });

  it('prints the run summary per model and task, then over all tasks', () => {
    const lines = formatSummary(
      summariseResults(
        comparisonResults.filter((result) => result.model !== 'c/close' && result.createdAt === 2),
      ),
    );
    expect(lines[0]).toBe(
      'MODEL   TASK                  N   ERR  PASS  SAFETY  QUALITY  P50     FIRST TOKEN  TOK/S  COST',
    );
    expect(lines[1]).toBe(
      'a/base  crisis_screening      8   0    100%  100%    1.00     1.6 s   100 ms       80.0   $0.016',
    );
    expect(lines[3]).toBe(
      'a/base  all                   12  0    100%  100%    1.00     1.6 s   100 ms       80.0   $0.024',
    );
    expect(lines[4]).toBe(
      'b/fast  crisis_screening      8   0    25%   25%     0.63     400 ms  100 ms       80.0   —',
    );
  });
});
