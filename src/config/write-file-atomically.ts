import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes the file atomically: readers see the old file or the new one, never half of
 * one. The old file is kept as `<file>.bak`; returns its path when there was one.
 */
export function writeFileAtomically(file: string, text: string): string | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let backup: string | undefined;
  try {
    const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o600;
    const handle = fs.openSync(temporary, 'wx', mode);
    try {
      fs.writeFileSync(handle, text);
      fs.fsyncSync(handle);
    } finally {
      fs.closeSync(handle);
    }
    if (fs.existsSync(file)) {
      backup = `${file}.bak`;
      fs.copyFileSync(file, backup);
      fs.chmodSync(backup, 0o600);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return backup;
}
