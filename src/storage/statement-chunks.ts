/**
 * Splits rows into chunks whose lengths are powers of two, none longer than `max` (itself
 * a power of two), so that writing a batch of any size uses one of a few statement shapes.
 *
 * Each distinct row count is a distinct SQL text, and SQLite keeps a prepared statement of
 * a multi-row insert at about 1.5 KB per row: batches of every size from 1 to 500 once
 * held 190 MB of prepared statements in the statement cache, which was most of the
 * gateway's memory under load and its slow growth in the soak. With chunks of 64, 32, ...,
 * 1 rows there are at most seven shapes (about 190 KB), and a batch of 125 rows takes six
 * statements instead of one.
 */
export function statementChunks<T>(rows: readonly T[], max: number): T[][] {
  if (!Number.isInteger(Math.log2(max))) throw new RangeError(`${max} is not a power of two`);
  const chunks: T[][] = [];
  let start = 0;
  while (start < rows.length) {
    const left = rows.length - start;
    const size = left >= max ? max : 2 ** Math.floor(Math.log2(left));
    chunks.push(rows.slice(start, start + size));
    start += size;
  }
  return chunks;
}
