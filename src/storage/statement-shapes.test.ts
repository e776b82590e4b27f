import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStorage } from './database.js';
import type { SessionRecord } from './sessions.js';
import type { Storage } from './storage.js';

let directory: string;
let storage: Storage;
let prepared: string[];

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-statement-shapes-'));
  storage = await openStorage({
    path: path.join(directory, 'db.sqlite'),
    flushIntervalMs: 3_600_000,
  });
  prepared = [];
  const prepare = BetterSqlite3.prototype.prepare;
  vi.spyOn(BetterSqlite3.prototype, 'prepare').mockImplementation(function (
    this: BetterSqlite3.Database,
    source: string,
  ) {
    prepared.push(source);
    return prepare.call(this, source);
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await storage.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

/** Distinct statement texts prepared that start with `prefix`. */
const shapes = (prefix: string) => new Set(prepared.filter((text) => text.startsWith(prefix))).size;

// A prepared multi-row insert holds about 1.5 KB of memory per row for as long as it is
// cached: a statement for every batch size once held 190 MB under load.
describe('batched writes on SQLite', () => {
  it('write request batches of every size from 1 to 200 with at most seven statement shapes', async () => {
    let id = 0;
    for (let size = 1; size <= 200; size += 1) {
      for (let row = 0; row < size; row += 1) {
        id += 1;
        storage.requests.record({
          id: `r${id}`,
          requestedModel: 'auto',
          stream: false,
          status: 200,
          latencyMs: 1,
        });
      }
      await storage.requests.flush();
    }
    expect(storage.requests.stats()).toMatchObject({ written: id, dropped: 0 });
    expect((await storage.requests.recent({ limit: 1000 })).length).toBe(1000);
    expect(shapes('insert into "requests"')).toBeLessThanOrEqual(7);
  });

  it('write session batches of every size from 1 to 100 with at most seven statement shapes', async () => {
    const session = (id: string): SessionRecord => ({
      id,
      owner: 'operator',
      requestedModel: 'auto',
      pinnedModel: null,
      turns: 1,
      history: [],
      createdAt: 1,
      updatedAt: 1,
    });
    let written = 0;
    for (let size = 1; size <= 100; size += 1) {
      const saves = Array.from({ length: size }, (_, index) =>
        storage.sessions.save(session(`s${written + index}`)),
      );
      written += size;
      await storage.sessions.flush();
      expect(await Promise.all(saves)).toEqual(saves.map(() => 1));
    }
    expect((await storage.sessions.list({ limit: 1000 })).length).toBe(1000);
    expect(shapes('insert into "sessions"')).toBeLessThanOrEqual(7);
  });
});
