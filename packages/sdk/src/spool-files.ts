import { chmod, mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The spool holds events as recorded, secrets included (the service redacts them, not the SDK): owner only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * Creates the spool directory owner-only, or tightens one that exists (a spool written by an older SDK, or
 * made by hand) and the files in it. What cannot be tightened (another owner's) is warned about, not fatal:
 * refusing to record would lose more than a loose mode does.
 */
export async function prepareSpoolDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await tighten(dir, DIR_MODE);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) await tighten(path, FILE_MODE);
  }
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
