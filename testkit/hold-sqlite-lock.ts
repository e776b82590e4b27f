/**
 * Another process holding a SQLite database's write lock, as the CLI, a backup or an
 * operator's `sqlite3` shell would: a child Node process opens the file, runs
 * `BEGIN EXCLUSIVE`, and keeps the lock until told to let go.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** A lock held by another process. */
export interface HeldSqliteLock {
  /** Commits (releasing the lock) and waits for the holder to exit. */
  release(): Promise<void>;
}

/** The holder: takes the lock, says `locked`, commits on any line from stdin, then exits. */
const holderScript = `
import Database from 'better-sqlite3';
const database = new Database(process.argv[1], { timeout: 10000 });
database.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => {
  database.exec('COMMIT');
  database.close();
  process.exit(0);
});
`;

/** Starts a process that holds `databaseFile`'s write lock; resolves once it holds it. */
export async function holdSqliteLock(databaseFile: string): Promise<HeldSqliteLock> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', holderScript, path.resolve(databaseFile)],
    // From the repository root, so `better-sqlite3` resolves to the project's copy.
    { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    void exited.then((code) =>
      reject(new Error(`the lock holder exited (code ${code}) before locking: ${stderr}`)),
    );
  });
  let releasing: Promise<void> | undefined;
  return {
    release() {
      releasing ??= (async () => {
        child.stdin.write('release\n');
        const code = await exited;
        if (code !== 0)
          throw new Error(`the lock holder failed to commit (code ${code}): ${stderr}`);
      })();
      return releasing;
    },
  };
}
