import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DialectUnderTest, describeEachDialect } from '../../testkit/storage-dialects.js';
import type { RequestRecord } from '../spec/request-record.js';
import { openStorage, type StorageLocation, type StorageOptions } from './database.js';
import type { RequestLogEntry } from './request-log-types.js';
import type { Storage } from './storage.js';

const folders: string[] = [];
const opened: Storage[] = [];

function temporaryDatabasePath(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-request-log-'));
  folders.push(folder);
  return path.join(folder, 'gateway.sqlite');
}

/** Opens storage whose timer never fires on its own unless a test asks for it. */
async function open(options: Partial<StorageOptions> & { path: string }): Promise<Storage> {
  const storage = await openStorage({ flushIntervalMs: 3_600_000, now: () => 1_000, ...options });
  opened.push(storage);
  return storage;
}

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function entry(id: string, overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    id,
    requestedModel: 'local/tiny',
    model: 'local/tiny',
    providerId: 'local',
    stream: false,
    status: 200,
    latencyMs: 10,
    ...overrides,
  };
}

/** Ids stored in the file, read through a separate connection. */
function storedIdsInFile(databasePath: string): string[] {
  const inspector = new BetterSqlite3(databasePath, { readonly: true });
  const ids = inspector.prepare('select id from requests order by id').pluck().all() as string[];
  inspector.close();
  return ids;
}

/** Ids stored, read through a separate connection. */
async function storedIds(database: DialectUnderTest, location: StorageLocation): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    location,
    'select id from requests order by id',
  );
  return rows.map((row) => row.id);
}

/** Settings under which the timer never fires on its own unless a test asks for it. */
const quiet = { flushIntervalMs: 3_600_000, now: () => 1_000 };

describeEachDialect('request log writes', (database) => {
  it('buffers records in memory until a flush writes them together', async () => {
    const location = await database.newLocation();
    const storage = await database.open(quiet, location);
    storage.requests.record(entry('a'));
    storage.requests.record(entry('b'));
    expect(await storedIds(database, location)).toEqual([]);
    expect(storage.requests.stats().buffered).toBe(2);

    await storage.requests.flush();
    expect(await storedIds(database, location)).toEqual(['a', 'b']);
    expect(storage.requests.stats()).toMatchObject({ buffered: 0, written: 2, failedFlushes: 0 });
  });

  it('flushes by itself once a batch is full', async () => {
    const location = await database.newLocation();
    const storage = await database.open({ ...quiet, maxBatchRows: 3 }, location);
    for (const id of ['a', 'b', 'c']) storage.requests.record(entry(id));
    await vi.waitFor(() => expect(storage.requests.stats().written).toBe(3));
    expect(await storedIds(database, location)).toEqual(['a', 'b', 'c']);
  });

  it('flushes by itself on its timer', async () => {
    const location = await database.newLocation();
    const storage = await database.open({ ...quiet, flushIntervalMs: 5 }, location);
    storage.requests.record(entry('a'));
    await vi.waitFor(() => expect(storage.requests.stats().written).toBe(1));
  });

  it('loses nothing on close, and the rows survive a reopen', async () => {
    const location = await database.newLocation();
    const storage = await database.open(quiet, location);
    for (let index = 0; index < 1_200; index += 1) storage.requests.record(entry(`r${index}`));
    await storage.close();
    expect(await storedIds(database, location)).toHaveLength(1_200);

    const reopened = await database.open(quiet, location);
    expect(await reopened.requests.recent({ limit: 1_000 })).toHaveLength(1_000);
  });

  it('drops the oldest rows beyond its bound and counts them', async () => {
    const location = await database.newLocation();
    const warnings: string[] = [];
    const storage = await database.open(
      { ...quiet, maxBufferedRows: 3, onError: (error) => warnings.push(error.message) },
      location,
    );
    for (const id of ['a', 'b', 'c', 'd', 'e']) storage.requests.record(entry(id));
    expect(storage.requests.stats()).toMatchObject({ buffered: 3, dropped: 2 });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^request log: 3 rows are waiting .*dropped the 1 oldest \(1 dropped so far\)/,
      ),
      expect.stringMatching(
        /dropped the 1 oldest \(2 dropped so far\)\. Make the database writable/,
      ),
    ]);
    await storage.requests.flush();
    expect(await storedIds(database, location)).toEqual(['c', 'd', 'e']);
  });

  it('never throws into the caller, whatever it records or whoever listens', async () => {
    const storage = await database.open({
      ...quiet,
      onError: () => {
        throw new Error('a broken logger');
      },
    });
    const malformed = {
      id: 'odd',
      requestedModel: 'local/tiny',
      stream: 'yes',
      status: Number.NaN,
      latencyMs: Number.POSITIVE_INFINITY,
      promptTokens: 3.6,
    } as unknown as RequestLogEntry;
    expect(() => storage.requests.record(malformed)).not.toThrow();
    const hostile = {
      get id(): string {
        throw new Error('a getter that throws');
      },
    } as unknown as RequestLogEntry;
    expect(() => storage.requests.record(hostile)).not.toThrow();

    const [stored] = await storage.requests.recent();
    expect(stored).toMatchObject({
      id: 'odd',
      stream: true,
      status: 0,
      latencyMs: 0,
      promptTokens: 4,
    });
  });

  it('keeps the first record of a repeated id rather than failing the batch', async () => {
    const storage = await database.open(quiet);
    storage.requests.record(entry('same', { status: 200 }));
    await storage.requests.flush();
    storage.requests.record(entry('same', { status: 500 }));
    storage.requests.record(entry('other'));
    await storage.requests.flush();
    const records = await storage.requests.recent();
    expect(records.map((record) => [record.id, record.status]).sort()).toEqual([
      ['other', 200],
      ['same', 200],
    ]);
  });

  it('accepts the spec RequestRecord and counts records after close as dropped', async () => {
    const storage = await database.open(quiet);
    const fromDispatcher: RequestRecord = {
      id: 'spec',
      createdAt: 5,
      providerId: 'local',
      model: 'local/tiny',
      requestedModel: 'local/tiny',
      task: 'narrative',
      stream: true,
      status: 200,
      errorCode: null,
      latencyMs: 12.5,
      firstTokenMs: 3.25,
      promptTokens: 7,
      completionTokens: 9,
      costUsd: 0.0001,
    };
    storage.requests.record(fromDispatcher);
    expect(await storage.requests.recent()).toEqual([{ ...fromDispatcher, client: null }]);
    await storage.close();
    storage.requests.record(entry('late'));
    expect(storage.requests.stats().dropped).toBe(1);
  });
});

describe('request log writes on a locked SQLite file', () => {
  it('keeps the rows of a flush that meets a locked database and writes them once it is free', async () => {
    const databasePath = temporaryDatabasePath();
    const errors: Error[] = [];
    const storage = await open({
      path: databasePath,
      busyTimeoutMs: 20,
      onError: (error) => errors.push(error),
    });
    const blocker = new BetterSqlite3(databasePath, { timeout: 0 });
    blocker.exec('BEGIN EXCLUSIVE');

    storage.requests.record(entry('a'));
    storage.requests.record(entry('b'));
    await storage.requests.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(
      /2 rows failed \(kept for retry; 2 waiting in memory, at most 50000\): another process holds the database lock: /,
    );
    expect(errors[0]?.cause).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(storage.requests.stats()).toMatchObject({ buffered: 2, written: 0, failedFlushes: 1 });

    storage.requests.record(entry('c'));
    blocker.exec('COMMIT');
    blocker.close();
    await storage.requests.flush();
    expect(storedIdsInFile(databasePath)).toEqual(['a', 'b', 'c']);
    expect(storage.requests.stats()).toMatchObject({ buffered: 0, written: 3, dropped: 0 });
  });

  it('retries a failed flush on its own', async () => {
    const databasePath = temporaryDatabasePath();
    const errors: Error[] = [];
    const storage = await open({
      path: databasePath,
      busyTimeoutMs: 5,
      flushIntervalMs: 5,
      onError: (error) => errors.push(error),
    });
    const blocker = new BetterSqlite3(databasePath, { timeout: 0 });
    blocker.exec('BEGIN EXCLUSIVE');
    storage.requests.record(entry('a'));
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    blocker.exec('ROLLBACK');
    blocker.close();
    await vi.waitFor(() => expect(storage.requests.stats().written).toBe(1));
    expect(storedIdsInFile(databasePath)).toEqual(['a']);
  });
});
