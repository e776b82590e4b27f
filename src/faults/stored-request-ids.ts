import BetterSqlite3 from 'better-sqlite3';

/** Request ids stored in a gateway's SQLite file, read through a connection of its own. */
export function storedRequestIds(databaseFile: string): string[] {
  const inspector = new BetterSqlite3(databaseFile, { readonly: true });
  try {
    return inspector.prepare('select id from requests').pluck().all() as string[];
  } finally {
    inspector.close();
  }
}
