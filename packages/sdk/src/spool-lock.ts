import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const heldHere = new Set<string>();

export class SpoolLockedError extends Error {
  readonly code = 'spool_locked';
}

/**
 * One process per spool directory: two senders draining one spool would send events twice and out of order.
 * The lock names its process; a lock left by a process that died (SIGKILL, a crash) is taken over.
 */
export function lockSpool(dir: string): () => void {
  const file = join(dir, 'lock');
  // Our own pid in the file is a stale lock of an earlier life (a restarted container reuses pids), unless
  // this process holds it now.
  if (heldHere.has(file)) throw new SpoolLockedError(`the spool ${dir} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        try {
          unlinkSync(file);
        } catch {}
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
        throw new SpoolLockedError(`the spool ${dir} is in use by process ${owner}`);
      unlinkSync(file);
    }
  }
  throw new SpoolLockedError(`could not lock the spool ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
