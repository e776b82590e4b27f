/**
 * A small disk that really fills up: a tmpfs of a few megabytes mounted on a temporary
 * folder. Mounting needs root (and a kernel that lets this container mount tmpfs); where
 * that is not so, tests that need it are skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A mounted small disk. */
export interface SmallDisk {
  /** Where it is mounted. */
  readonly folder: string;
  /**
   * Writes a filler file until the disk refuses more (ENOSPC); returns its size in bytes.
   * {@link SmallDisk.freeSpace} deletes it.
   */
  fill(): number;
  /** Deletes the filler file: the disk has room again. */
  freeSpace(): void;
  /** Unmounts and removes the folder. Safe to call twice. */
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMegabytes`; or says why it cannot here. */
export function mountSmallDisk(sizeMegabytes: number): SmallDisk | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: 'a tmpfs mount needs Linux' };
  if (process.getuid?.() !== 0) {
    return {
      unavailable: 'mounting a small tmpfs needs root; run the tests as root to include it',
    };
  }
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMegabytes}m`, 'tmpfs', folder], {
      stdio: 'pipe',
    });
  } catch (error) {
    fs.rmSync(folder, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { unavailable: `mount -t tmpfs failed here (${stderr || (error as Error).message})` };
  }
  const filler = path.join(folder, 'filler.bin');
  let mounted = true;
  return {
    folder,
    fill() {
      const descriptor = fs.openSync(filler, 'a');
      let written = 0;
      try {
        // Big blocks first, then smaller ones, down to a page: the disk ends up full.
        for (let block = 1 << 20; block >= 4096; block >>= 1) {
          const bytes = Buffer.alloc(block, 0x5a);
          for (;;) {
            try {
              written += fs.writeSync(descriptor, bytes);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              break;
            }
          }
        }
      } finally {
        fs.closeSync(descriptor);
      }
      return written;
    },
    freeSpace() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', folder], { stdio: 'pipe' });
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
