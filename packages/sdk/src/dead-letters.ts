import { open } from 'node:fs/promises';
import type { EntryKind } from './spool.js';
import { FILE_MODE } from './spool-files.js';

/** An event the service refused for good, kept with the reason instead of being retried forever. */
export interface DeadLetter {
  kind: EntryKind | 'unreadable';
  event: Record<string, unknown>;
  /** The HTTP status (0 for a spool line that could not be read back). */
  status: number;
  /** The service's error code, e.g. `invalid_event`, `idempotency_conflict`. */
  code: string;
  reason: string;
  at: string;
}

/** Appends one dead letter durably (it leaves the spool right after, so it must not be lost either). */
export async function appendDeadLetter(file: string, letter: DeadLetter): Promise<void> {
  const handle = await open(file, 'a', FILE_MODE);
  try {
    await handle.write(`${JSON.stringify(letter)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
