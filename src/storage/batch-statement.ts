import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';

/** What runs a compiled query: a database, or a transaction of one. */
export interface QueryRunner {
  executeQuery<Result>(query: CompiledQuery<Result>): Promise<QueryResult<Result>>;
}

/**
 * A batched write whose SQL depends only on how many rows it writes. The query builder
 * compiles it once per row count; later batches of that count reuse the text with their
 * own values, which are each row's values in its key order. Building a multi-row
 * statement with the query builder cost as much as running it, on every batch.
 *
 * Rows must all have the same keys in the same order (make them with one object literal);
 * the first batch of each count checks that the builder takes the values in that order.
 */
export function batchStatement<Row extends object, Result>(
  name: string,
  build: (rows: readonly Row[]) => Compilable<Result>,
): (runner: QueryRunner, rows: readonly Row[]) => Promise<QueryResult<Result>> {
  const texts = new Map<number, string>();
  return (runner, rows) => {
    const parameters = rows.flatMap((row) => Object.values(row));
    let text = texts.get(rows.length);
    if (text === undefined) {
      const compiled = build(rows).compile();
      const same =
        compiled.parameters.length === parameters.length &&
        compiled.parameters.every((value, index) => value === parameters[index]);
      if (!same)
        throw new Error(`${name}: the batched statement takes its values in another order`);
      text = compiled.sql;
      texts.set(rows.length, text);
    }
    return runner.executeQuery(CompiledQuery.raw(text, parameters) as CompiledQuery<Result>);
  };
}
