import type { Kysely } from 'kysely';
import { batchStatement } from './batch-statement.js';
import type { LoggedRequest, ModelSummary, RecentQuery } from './request-log-types.js';
import { toLoggedRequest } from './request-row.js';
import type { DatabaseSchema, RequestsTable } from './schema.js';
import { statementChunks } from './statement-chunks.js';

/**
 * Most rows per INSERT statement (15 columns x 64 rows is far below any bound-parameter
 * limit); batches go out in power-of-two chunks, so the statements have few shapes.
 */
const rowsPerStatement = 64;
const defaultRecentLimit = 50;
const maximumRecentLimit = 1000;

/** The request log's SQL, in portable query-builder form. */
export interface RequestQueries {
  /** Writes rows in ONE transaction; an id already stored is skipped. */
  insert(rows: readonly RequestsTable[]): Promise<void>;
  /** Newest first. */
  recent(query: RecentQuery): Promise<LoggedRequest[]>;
  /** Totals per model, busiest first. */
  summary(since: number | undefined): Promise<ModelSummary[]>;
  /** Deletes at most `limit` rows created before `before`; resolves with how many. */
  deleteBefore(before: number, limit: number): Promise<number>;
}

/** The request log's queries over one database. */
export function createRequestQueries(db: Kysely<DatabaseSchema>): RequestQueries {
  // Compiled once per chunk size (every row comes from `toRequestRow`, keys in one order).
  const insertRows = batchStatement('request log', (rows: readonly RequestsTable[]) =>
    db
      .insertInto('requests')
      .values([...rows])
      .onConflict((conflict) => conflict.column('id').doNothing()),
  );

  /** Nearest-rank percentile of one model's latencies, via ORDER BY/OFFSET in the database. */
  async function latencyPercentile(
    model: string | null,
    since: number | undefined,
    count: number,
    fraction: number,
  ): Promise<number> {
    const rank = Math.max(1, Math.ceil(fraction * count));
    const row = await db
      .selectFrom('requests')
      .select('latency_ms')
      .where('model', model === null ? 'is' : '=', model)
      .$if(since !== undefined, (query) => query.where('created_at', '>=', since ?? 0))
      .orderBy('latency_ms')
      .limit(1)
      .offset(rank - 1)
      .executeTakeFirst();
    return Number(row?.latency_ms ?? 0);
  }

  return {
    async insert(rows) {
      if (rows.length === 0) return;
      await db.transaction().execute(async (transaction) => {
        for (const chunk of statementChunks(rows, rowsPerStatement)) {
          await insertRows(transaction, chunk);
        }
      });
    },

    async deleteBefore(before, limit) {
      // Through the primary key, a bounded number at a time: SQLite has no DELETE ... LIMIT.
      const result = await db
        .deleteFrom('requests')
        .where('id', 'in', (select) =>
          select.selectFrom('requests').select('id').where('created_at', '<', before).limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async recent(query) {
      const requested = Math.trunc(query.limit ?? defaultRecentLimit);
      const limit = Math.min(Math.max(requested, 1), maximumRecentLimit);
      const rows = await db
        .selectFrom('requests')
        .selectAll()
        .$if(query.model !== undefined, (select) => select.where('model', '=', query.model ?? ''))
        .$if(query.since !== undefined, (select) =>
          select.where('created_at', '>=', query.since ?? 0),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toLoggedRequest);
    },

    async summary(since) {
      const groups = await db
        .selectFrom('requests')
        .select((expression) => [
          'model',
          expression.fn.countAll().as('requests'),
          expression.fn
            .sum(
              expression
                .case()
                .when(
                  expression.or([
                    expression('status', '>=', 400),
                    expression('error_code', 'is not', null),
                  ]),
                )
                .then(1)
                .else(0)
                .end(),
            )
            .as('errors'),
          expression.fn.avg('latency_ms').as('average_latency_ms'),
          expression.fn.sum('prompt_tokens').as('prompt_tokens'),
          expression.fn.sum('completion_tokens').as('completion_tokens'),
          expression.fn.sum('cost_usd').as('cost_usd'),
        ])
        .$if(since !== undefined, (select) => select.where('created_at', '>=', since ?? 0))
        .groupBy('model')
        .execute();

      const summaries = await Promise.all(
        groups.map(async (group): Promise<ModelSummary> => {
          const requests = Number(group.requests);
          const promptTokens = Number(group.prompt_tokens ?? 0);
          const completionTokens = Number(group.completion_tokens ?? 0);
          return {
            model: group.model,
            requests,
            errors: Number(group.errors ?? 0),
            p50LatencyMs: await latencyPercentile(group.model, since, requests, 0.5),
            p95LatencyMs: await latencyPercentile(group.model, since, requests, 0.95),
            averageLatencyMs: Number(group.average_latency_ms ?? 0),
            promptTokens,
            completionTokens,
            totalTokens: promptTokens + completionTokens,
            costUsd: Number(group.cost_usd ?? 0),
          };
        }),
      );
      return summaries.sort(
        (left, right) =>
          right.requests - left.requests || String(left.model).localeCompare(String(right.model)),
      );
    },
  };
}
