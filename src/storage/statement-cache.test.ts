import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  const open: BetterSqlite3.Database[] = [];
  afterEach(() => {
    for (const database of open.splice(0)) database.close();
  });
  function database() {
    const opened = new BetterSqlite3(':memory:');
    open.push(opened);
    opened.exec('create table notes (id integer primary key, body text)');
    return opened;
  }

  it('prepares a statement once and answers each run with current rows', () => {
    const cached = withStatementCache(database());
    const insert = cached.prepare('insert into notes (body) values (?)');
    expect(cached.prepare('insert into notes (body) values (?)')).toBe(insert);
    insert.run(['first']);
    cached.prepare('insert into notes (body) values (?)').run(['second']);
    expect(cached.prepare('select body from notes order by id').all([])).toEqual([
      { body: 'first' },
      { body: 'second' },
    ]);
  });

  it('sees a changed schema through a statement prepared before the change', () => {
    const raw = database();
    const cached = withStatementCache(raw);
    const select = 'select * from notes';
    cached.prepare('insert into notes (body) values (?)').run(['a']);
    expect(cached.prepare(select).all([])).toEqual([{ id: 1, body: 'a' }]);
    raw.exec("alter table notes add column mood text not null default 'calm'");
    expect(cached.prepare(select).all([])).toEqual([{ id: 1, body: 'a', mood: 'calm' }]);
  });

  it('gives a fresh statement while the cached one is still being read', () => {
    const cached = withStatementCache(database());
    const insert = cached.prepare('insert into notes (body) values (?)');
    for (const body of ['a', 'b', 'c']) insert.run([body]);
    const sql = 'select body from notes order by id';
    const reading = cached.prepare(sql).iterate([]);
    expect(reading.next().value).toEqual({ body: 'a' });
    // The first statement is mid-iteration: running it again would throw.
    expect(cached.prepare(sql).all([])).toHaveLength(3);
    expect([...reading]).toEqual([{ body: 'b' }, { body: 'c' }]);
  });
});
