/** Text tables of the `bench` commands: pure functions from data to lines, so they are tested on fixtures. */
import type { Comparison } from '../../benchmarking/compare-models.js';
import type { SummaryRow } from '../../benchmarking/run-summary.js';

/** Percent, or `—`. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

/** Milliseconds as `850 ms` or `1.2 s`, or `—`. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** USD with enough digits for small amounts, or `—`. */
export function dollars(value: number | null): string {
  if (value === null) return '—';
  if (value === 0) return '$0';
  // Two significant digits for fractions of a cent: $0.002, $0.00002.
  return `$${value < 0.01 ? Number(value.toPrecision(2)) : value.toFixed(3)}`;
}

/** A signed difference with two decimals (`+0.12`, `-0.05`). */
function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** Aligned columns. */
export function formatTable(headers: readonly string[], rows: readonly string[][]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The summary table printed at the end of a run and by `bench show`. */
export function formatSummary(rows: readonly SummaryRow[]): string[] {
  return formatTable(
    [
      'MODEL',
      'TASK',
      'N',
      'ERR',
      'PASS',
      'SAFETY',
      'QUALITY',
      'P50',
      'FIRST TOKEN',
      'TOK/S',
      'COST',
    ],
    rows.map((row) => [
      row.model,
      row.task,
      String(row.scenarios),
      String(row.errors),
      percent(row.passRate),
      percent(row.safetyPassRate),
      row.quality.toFixed(2),
      duration(row.p50LatencyMs),
      duration(row.p50FirstTokenMs),
      row.p50TokensPerSecond === null ? '—' : row.p50TokensPerSecond.toFixed(1),
      dollars(row.costUsd),
    ]),
  );
}

/** `bench compare`: every group's models side by side, differences from the baseline, the test used. */
export function formatComparison(comparison: Comparison): string[] {
  const rows: string[][] = [];
  for (const group of comparison.groups) {
    for (const [index, cell] of group.cells.entries()) {
      const difference = index === 0 ? undefined : group.differences[index - 1];
      rows.push([
        index === 0 ? group.task : '',
        cell.model,
        String(cell.samples),
        cell.quality.toFixed(2),
        percent(cell.passRate),
        percent(cell.safetyPassRate),
        duration(cell.p50LatencyMs),
        dollars(cell.meanCostUsd),
        difference ? signed(difference.qualityDifference) : 'baseline',
        difference ? `${signed(difference.passRateDifference * 100, 0)} pts` : '',
        difference ? `${difference.pValue.toFixed(3)}${difference.significant ? ' *' : ''}` : '',
      ]);
    }
  }
  const notes = comparison.groups.flatMap((group) =>
    group.differences.flatMap((difference) =>
      difference.note ? [`  ${group.task}, ${difference.model}: ${difference.note}`] : [],
    ),
  );
  return [
    ...formatTable(
      [
        'TASK',
        'MODEL',
        'N',
        'QUALITY',
        'PASS',
        'SAFETY',
        'P50',
        'COST/SCENARIO',
        'Δ QUALITY',
        'Δ PASS',
        'P',
      ],
      rows,
    ),
    '',
    `Δ: difference from ${comparison.baseline}. * significant at p < ${comparison.significanceLevel}.`,
    `Test: ${comparison.test}.`,
    ...(notes.length > 0 ? ['Notes:', ...notes] : []),
  ];
}
