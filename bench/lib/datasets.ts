import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './server-process.js';

export const DATA_DIR = fileURLToPath(new URL('../.data/', import.meta.url));

/** Bump when the schema or the demo generator changes, so cached datasets are rebuilt. */
const DATASET_VERSION = 3;

/**
 * A demo database of `events` administrative events (plus their sign-in history), built once with
 * `auditlog demo` and kept in bench/.data/ for later runs. Returns the path and the build rate when built now.
 */
export async function demoDataset(
  events: number,
): Promise<{ file: string; builtRate?: number; builtSeconds?: number }> {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}demo-${events}-v${DATASET_VERSION}.db`;
  if (existsSync(file)) return { file };
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(tmp + s, { force: true });
  process.stderr.write(`bench: building a ${events}-event demo dataset (auditlog demo)…\n`);
  const started = performance.now();
  const r = await run(['demo', '--events', String(events), '--db', tmp]);
  const seconds = (performance.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`demo failed: ${r.stderr}`);
  renameSync(tmp, file);
  renameSync(`${tmp}.signing-key.pem`, `${file}.signing-key.pem`);
  return { file, builtRate: events / seconds, builtSeconds: seconds };
}
