// A small filesystem of the test's own (a tmpfs), to fill up under a running server. Mounting needs root;
// where it is impossible the suite is skipped with the reason, unless AUDITLOG_TEST_REQUIRE_ALL=1 (CI).
import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeIfPossible } from './describe-if-possible.js';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);

export interface SmallFilesystem {
  path: string;
  /** Writes a ballast file until the filesystem is full (ENOSPC); returns its size in bytes. */
  fill: () => number;
  /** Removes the ballast. */
  free: () => void;
  unmount: () => Promise<void>;
}

/** Mounts a tmpfs of `sizeMiB` MiB in a fresh temporary directory. */
export async function mountSmallFilesystem(sizeMiB: number): Promise<SmallFilesystem> {
  const dir = tempDir('auditlog-fs-');
  const path = join(dir.path, 'mnt');
  mkdirSync(path);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', path]);
  } catch (error) {
    dir.remove();
    throw error;
  }
  const ballast = join(path, 'ballast');
  return {
    path,
    fill: () => {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(16 * 1024, 1);
      let bytes = 0;
      try {
        for (;;) bytes += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return bytes;
    },
    free: () => rmSync(ballast, { force: true }),
    unmount: async () => {
      await run('umount', ['-l', path]).catch(() => {});
      dir.remove();
    },
  };
}

/** Null when this process can mount a tmpfs, else why not. */
async function mountStatus(): Promise<string | null> {
  try {
    const fs = await mountSmallFilesystem(1);
    await fs.unmount();
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (needs root): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** `describe` for suites that need a small filesystem: skipped with the reason, or failed under CI. */
export function describeSmallFilesystem(name: string, body: () => void): void {
  describeIfPossible(name, 'a small filesystem (tmpfs)', mountStatus, body);
}
