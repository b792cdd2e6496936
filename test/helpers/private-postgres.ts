// A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temporary directory, on a free port), for tests
// that stop, restart or kill the database under a running server. The shared cluster is never touched.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeIfPossible } from './describe-if-possible.js';
import { databaseUrl, withClient } from './postgres.js';

const run = promisify(execFile);

export interface PrivateCluster {
  port: number;
  dataDir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: (database?: string) => string;
  /** `pg_ctl start -w`: returns once the cluster accepts connections (at once when it runs). */
  start: () => Promise<void>;
  /** `pg_ctl stop -m <mode>`: `immediate` is a crash (no checkpoint, clients cut), `fast` a clean stop. */
  stop: (mode: 'immediate' | 'fast') => Promise<void>;
  /** Terminates every backend connected to `database` (pg_terminate_backend); returns how many. */
  terminateBackends: (database: string) => Promise<number>;
  /** Creates an empty database and returns its URL. */
  createDatabase: (name: string) => Promise<string>;
  /** Stops the cluster (if running) and removes its directory. */
  destroy: () => Promise<void>;
}

/** The directory of initdb and pg_ctl: AUDITLOG_TEST_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
function pgBin(): string | undefined {
  if (process.env.AUDITLOG_TEST_PG_BIN) return process.env.AUDITLOG_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

/** initdb refuses to run as root: as root, the cluster is run by the `postgres` OS user. */
async function asOwner(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  return run(command, args);
}

async function ownerIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Creates and starts a private cluster (trust authentication, user `postgres`, 127.0.0.1 only). */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = pgBin();
  if (!bin) throw new Error('no PostgreSQL binaries (initdb, pg_ctl): set AUDITLOG_TEST_PG_BIN');
  const root = mkdtempSync(join(tmpdir(), 'auditlog-pg-'));
  const dataDir = join(root, 'data');
  const owner = await ownerIds();
  if (owner) chownSync(root, owner.uid, owner.gid);
  chmodSync(root, 0o700);
  const port = await freePort();
  const pgCtl = join(bin, 'pg_ctl');
  let running = false;
  await asOwner(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  // fsync=off: these tests stop the server process, never the machine; the OS cache survives a crash.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c max_connections=60`;
  const cluster: PrivateCluster = {
    port,
    dataDir,
    url: (database = 'postgres') => databaseUrl(database, `postgres://postgres@127.0.0.1:${port}/postgres`),
    start: async () => {
      if (running) return;
      await asOwner(pgCtl, [
        '-D',
        dataDir,
        '-o',
        options,
        '-l',
        join(root, 'log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      running = true;
    },
    stop: async (mode) => {
      await asOwner(pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    terminateBackends: (database) =>
      withClient(cluster.url(), async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()) t`,
          [database],
        );
        return rows[0]!.n;
      }),
    createDatabase: async (name) => {
      await withClient(cluster.url(), (c) => c.query(`CREATE DATABASE "${name}"`));
      return cluster.url(name);
    },
    destroy: async () => {
      if (running) await cluster.stop('immediate').catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}

/** Whether a private cluster can be made here (binaries present; as root, a `postgres` OS user). */
async function privateClusterStatus(): Promise<string | null> {
  if (!pgBin())
    return 'no PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql; set AUDITLOG_TEST_PG_BIN';
  if (process.getuid?.() === 0 && !(await ownerIds().catch(() => undefined)))
    return 'running as root and no `postgres` OS user to run initdb as';
  return null;
}

/**
 * `describe` for suites that need a private cluster: skipped with a message when one cannot be made here,
 * unless AUDITLOG_TEST_REQUIRE_ALL=1 (CI), where the suite fails instead (as `describePostgres`).
 */
export function describePrivatePostgres(name: string, body: () => void): void {
  describeIfPossible(name, 'a private PostgreSQL cluster', privateClusterStatus, body);
}
