import { chmod, mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The spool holds events as recorded, secrets included (the service redacts them, not the SDK): owner only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** The files the spool writes: only those are tightened, should the directory hold anything else. */
const OWN_FILE = /^(seg-\d+\.ndjson|cursor\.json(\.tmp)?|dead-letters\.ndjson|lock)$/;

/**
 * Creates the spool directory owner-only, or tightens one that exists (a spool written by an older SDK, or
 * made by hand) and the spool's files in it. What cannot be tightened (another owner's) is warned about, not fatal:
 * refusing to record would lose more than a loose mode does.
 */
export async function prepareSpoolDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await tighten(dir, DIR_MODE);
  for (const name of await readdir(dir)) if (OWN_FILE.test(name)) await tighten(join(dir, name), FILE_MODE);
}

async function tighten(path: string, mode: number): Promise<void> {
  try {
    if (((await stat(path)).mode & 0o777) !== mode) await chmod(path, mode);
  } catch (error) {
    process.emitWarning(
      `could not make ${path} private (mode ${mode.toString(8)}): ${(error as Error).message}; ` +
        'it may hold audited values in clear',
      { code: 'AUDITLOG_SPOOL_MODE' },
    );
  }
}

/** A new segment's directory entry must survive a crash too, or its events vanish with it. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
