import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPortOrigin } from '../../testkit/faults.js';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgresServer,
} from '../../testkit/postgres-server.js';
import { databaseUnavailableReason } from './database-unavailable.js';

/** What `work` threw (fails the test when it did not throw). */
async function thrownBy(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('databaseUnavailableReason on SQLite', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });
  function databaseFile(): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-unavailable-'));
    folders.push(folder);
    return path.join(folder, 'gateway.sqlite');
  }

  it('calls a lock held by another connection "locked", also when wrapped', async () => {
    const file = databaseFile();
    const holder = new BetterSqlite3(file);
    holder.exec('create table notes (text text); begin exclusive');
    const writer = new BetterSqlite3(file, { timeout: 0 });
    const busy = await thrownBy(() => writer.exec("insert into notes values ('x')"));
    holder.exec('commit');
    holder.close();
    writer.close();
    expect(busy).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(databaseUnavailableReason(busy)).toBe('locked');
    expect(databaseUnavailableReason(new Error('saving failed', { cause: busy }))).toBe('locked');
  });

  it('calls a full database "full", and a bad statement nothing', async () => {
    const database = new BetterSqlite3(databaseFile());
    database.exec('create table notes (text text)');
    database.pragma(`max_page_count = ${Number(database.pragma('page_count', { simple: true }))}`);
    const full = await thrownBy(() =>
      database.prepare('insert into notes values (?)').run('x'.repeat(10_000)),
    );
    const typo = await thrownBy(() => database.exec('selec 1'));
    database.close();
    expect(full).toMatchObject({ code: 'SQLITE_FULL' });
    expect(databaseUnavailableReason(full)).toBe('full');
    expect(typo).toMatchObject({ code: 'SQLITE_ERROR' });
    expect(databaseUnavailableReason(typo)).toBeUndefined();
  });

  it('calls ordinary errors nothing', () => {
    expect(databaseUnavailableReason(new TypeError('undefined is not a function'))).toBeUndefined();
    expect(databaseUnavailableReason('a string')).toBeUndefined();
    expect(databaseUnavailableReason(undefined)).toBeUndefined();
    const loop = new Error('a cause that loops');
    (loop as { cause?: unknown }).cause = loop;
    expect(databaseUnavailableReason(loop)).toBeUndefined();
  });
});

describe('databaseUnavailableReason on PostgreSQL', () => {
  it('calls a refused connection "unreachable"', async () => {
    const origin = await closedPortOrigin();
    const client = new pg.Client({
      connectionString: `postgres://tta@${new URL(origin).host}/tta`,
    });
    const refused = await thrownBy(() => client.connect());
    expect(databaseUnavailableReason(refused)).toBe('unreachable');
  });

  describe.runIf(postgresAvailable())('with a server', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgresServer();
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('calls a connection the server terminated "unreachable", and a bad query nothing', async () => {
      const victim = new pg.Client({ connectionString: server.url });
      victim.on('error', () => {});
      await victim.connect();
      const typo = await thrownBy(() => victim.query('selec 1'));
      const { rows } = await victim.query<{ pid: number }>('select pg_backend_pid() as pid');
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
      await admin.end();
      const terminated = await thrownBy(() => victim.query('select 1'));
      await victim.end().catch(() => {});
      expect(databaseUnavailableReason(terminated)).toBe('unreachable');
      expect(typo).toMatchObject({ code: '42601' });
      expect(databaseUnavailableReason(typo)).toBeUndefined();
    });
  });
});
