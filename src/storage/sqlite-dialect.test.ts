import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { holdSqliteLock } from '../../testkit/hold-sqlite-lock.js';
import { createSqliteDialect } from './sqlite-dialect.js';

const folders: string[] = [];
const databases: Kysely<unknown>[] = [];

afterEach(async () => {
  for (const database of databases.splice(0)) await database.destroy();
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function open(busyTimeoutMs: number): { database: Kysely<unknown>; file: string } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-sqlite-dialect-'));
  folders.push(folder);
  const file = path.join(folder, 'gateway.sqlite');
  const database = new Kysely<unknown>({
    dialect: createSqliteDialect({ path: file, busyTimeoutMs }),
  });
  databases.push(database);
  return { database, file };
}

describe('the SQLite dialect', () => {
  it("waits out another process's lock without freezing the event loop", async () => {
    const { database, file } = open(10_000);
    await sql`create table notes (text text)`.execute(database);
    const lock = await holdSqliteLock(file);
    let ticksWhileWaiting = 0;
    const ticker = setInterval(() => {
      ticksWhileWaiting += 1;
    }, 5);
    // Let go of the lock from this process's own event loop: only a wait that leaves
    // the loop free lets this run before the busy timeout.
    const releasing = new Promise<void>((resolve) => setTimeout(resolve, 100)).then(() =>
      lock.release(),
    );
    try {
      await database.transaction().execute(async (transaction) => {
        await sql`insert into notes values ('written after the lock')`.execute(transaction);
      });
    } finally {
      clearInterval(ticker);
      await releasing;
    }
    expect(ticksWhileWaiting).toBeGreaterThan(0);
    const { rows } = await sql<{ text: string }>`select text from notes`.execute(database);
    expect(rows).toEqual([{ text: 'written after the lock' }]);
  });

  it('fails with SQLITE_BUSY once the busy timeout has passed, and works after', async () => {
    const { database, file } = open(50);
    await sql`create table notes (text text)`.execute(database);
    const lock = await holdSqliteLock(file);
    try {
      await expect(
        sql`insert into notes values ('refused')`.execute(database),
      ).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      await lock.release();
    }
    await sql`insert into notes values ('accepted')`.execute(database);
    const { rows } = await sql<{ text: string }>`select text from notes`.execute(database);
    expect(rows).toEqual([{ text: 'accepted' }]);
  });

  it('reports a full database as SQLITE_FULL, not as a failed rollback', async () => {
    const { database } = open(1_000);
    await sql`create table notes (text text)`.execute(database);
    // The same (only) connection: cap the file at its current size plus a few pages.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(database);
    await sql.raw(`pragma max_page_count = ${(rows[0]?.page_count ?? 0) + 2}`).execute(database);
    const filling = database.transaction().execute(async (transaction) => {
      for (let index = 0; index < 100; index += 1)
        await sql`insert into notes values (${'x'.repeat(4_000)})`.execute(transaction);
    });
    await expect(filling).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    // Nothing half-written, and the connection works on.
    const count = await sql<{ count: number }>`select count(*) as count from notes`.execute(
      database,
    );
    expect(count.rows).toEqual([{ count: 0 }]);
  });
});
