// SQLite losing its disk under load: `auditlog serve` on a small tmpfs that fills up and is freed again, and on a
// data directory that is deleted. Writers must get 503 store_unavailable with Retry-After (never a 201 for an
// event that is not stored, never a dead process), ingest must resume by itself when space returns, every
// acknowledged event must be stored exactly once, and `verify` must pass. Recovery times are printed.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import {
  describeSmallFilesystem,
  mountSmallFilesystem,
  type SmallFilesystem,
} from '../helpers/small-filesystem.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expectAlive, expectStoredExactlyOnce, FaultLoad } from './fault-load.js';

const TOKEN = '01Qn-RE7oh6o2AXfHtdmiqtbL7V5S0Q3';
const RECOVERY_TIMEOUT_MS = 30_000;

function storedEvents(file: string): { id: string; seq: number }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id, seq FROM events WHERE event_type NOT LIKE 'auditlog.%'").all() as {
      id: string;
      seq: number;
    }[];
  } finally {
    db.close();
  }
}

describeSmallFilesystem('SQLite on a filesystem that fills up under load', () => {
  let fs: SmallFilesystem;
  let server: ServerProcess;
  let load: FaultLoad;
  let file: string;
  let fullAt = 0;

  beforeAll(async () => {
    fs = await mountSmallFilesystem(8);
    file = join(fs.path, 'auditlog.db');
    server = await startServerProcess(['--db', file], { AUDITLOG_BOOTSTRAP_TOKEN: TOKEN });
    load = new FaultLoad([server], TOKEN, 'full');
    load.start(4);
    await vi.waitFor(() => expect(load.acknowledged(0)).toBeGreaterThan(20), { timeout: 30_000 });
  });
  afterAll(async () => {
    await server?.kill().catch(() => {});
    await fs?.unmount();
  });

  it('a full disk: 503 store_unavailable, the process stays up and says why it is not ready', async () => {
    const ballast = fs.fill();
    const at = Date.now();
    fullAt = at;
    expect(ballast).toBeGreaterThan(0);
    await vi.waitFor(
      () => {
        const full = load.writes.filter((w) => w.atMs > at && w.status === 503);
        expect(full.length).toBeGreaterThan(10);
        const health = load.health.filter((h) => h.atMs > at && h.status === 503);
        expect(health.length).toBeGreaterThan(0);
        expect(JSON.parse(health.at(-1)!.body)).toMatchObject({
          status: 'unavailable',
          reason: expect.stringMatching(/full/i),
        });
      },
      { timeout: 30_000, interval: 100 },
    );
    await new Promise((r) => setTimeout(r, 3_000)); // the disk stays full a while under the load
    expectAlive([server]);
    expect(load.unexpected).toEqual([]);
  });

  it('space returns: ingest resumes by itself', async () => {
    fs.free();
    const at = Date.now();
    await vi.waitFor(
      () => {
        expect(load.acknowledged(0, at)).toBeGreaterThanOrEqual(5);
        expect(load.health.some((h) => h.status === 200 && h.atMs > at)).toBe(true);
      },
      { timeout: RECOVERY_TIMEOUT_MS, interval: 100 },
    );
    expect(
      load.reads.filter((r) => r.atMs > fullAt && r.status !== 200),
      'reads while the disk is full',
    ).toEqual([]);
    console.log(
      `disk full, then freed: first 201 ${load.firstAckAfter(0, at)} ms after the space returned; ` +
        `writes from the disk full until then ${load.statuses('writes', fullAt, at + (load.firstAckAfter(0, at) ?? 0))}`,
    );
    expectAlive([server]);
    expect(load.unexpected).toEqual([]);
  });

  it('afterwards: every 201 stored exactly once, nothing else, a clean shutdown, verify passes', async () => {
    await load.stop();
    expect(load.unexpected).toEqual([]);
    expect(await server.stop()).toBe(0);
    expectStoredExactlyOnce(load, storedEvents(file));
    const verify = await runCli(['verify', '--db', file]);
    expect(verify.stdout).toMatch(/^OK /);
    expect(verify.code).toBe(0);
  });
});

describe('SQLite whose data directory is deleted under load', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.kill().catch(() => {});
    dir.remove();
  });

  it('answers 503 store_unavailable from then on, never a 201, stays up, and shuts down within bounds', async () => {
    const data = join(dir.path, 'data');
    server = await startServerProcess(['--db', join(data, 'auditlog.db')], {
      AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    });
    const load = new FaultLoad([server], TOKEN, 'gone');
    load.start(4);
    await vi.waitFor(() => expect(load.acknowledged(0)).toBeGreaterThan(10), { timeout: 30_000 });
    rmSync(data, { recursive: true, force: true });
    const at = Date.now();
    await vi.waitFor(
      () => {
        expect(load.writes.filter((w) => w.startMs > at && w.status === 503).length).toBeGreaterThan(10);
        const health = load.health.filter((h) => h.startMs > at);
        expect(health.length).toBeGreaterThan(0);
        expect(health.at(-1)!.status).toBe(503);
        expect(JSON.parse(health.at(-1)!.body)).toMatchObject({
          status: 'unavailable',
          reason: expect.stringMatching(/deleted or replaced/),
        });
      },
      { timeout: 30_000, interval: 100 },
    );
    await load.abandon();
    expect(load.writes.filter((w) => w.startMs > at && w.status === 201)).toEqual([]);
    expect(load.unexpected).toEqual([]);
    expectAlive([server]);
    // In-flight requests answered, then the final checkpoint cannot be signed: said so, and the process ends.
    expect(await server.stop()).toBe(1);
    expect(server.output()).toMatch(
      /final checkpoint not signed: The database file .* was deleted or replaced/,
    );
  });
});
