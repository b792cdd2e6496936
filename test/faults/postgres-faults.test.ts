// The database going away under load: `auditlog serve` processes on a private PostgreSQL cluster, four writers
// and a reader per node, while the cluster's backends are terminated, the cluster is restarted (-m fast) and
// stopped by a crash (-m immediate) for 5 s. Every process must stay up, answer 503 store_unavailable with
// Retry-After meanwhile (never a 500, never a 429), recover by itself, store every acknowledged event exactly
// once, and keep a chain that `auditlog verify` accepts. Recovery times are printed, not asserted.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { withClient } from '../helpers/postgres.js';
import {
  describePrivatePostgres,
  type PrivateCluster,
  startPrivateCluster,
} from '../helpers/private-postgres.js';
import { sampleEvent } from '../helpers/test-server.js';
import { expectAlive, expectStoredExactlyOnce, FaultLoad } from './fault-load.js';

const TOKEN = 'Sam417JqEyCC75b0pnwcfDLVvmbiDrI3';
const signingKey = generateSigningKey().privatePem;
// Long enough for every node to see the outage (checked from 2 s on), short enough for the suite's time.
const OUTAGE_MS = 5_000;
const RECOVERY_TIMEOUT_MS = 30_000;

// One private cluster for the file, made by the first suite that runs (none when both are skipped).
let started: Promise<PrivateCluster> | undefined;
let cluster: PrivateCluster;
afterAll(async () => {
  await (await started?.catch(() => undefined))?.destroy();
});

/** A fresh database on the file's cluster (started if a failed test of another suite left it stopped). */
async function createDatabase(name: string): Promise<string> {
  started ??= startPrivateCluster();
  cluster = await started;
  await cluster.start();
  return cluster.createDatabase(name);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every node has acknowledged writes and answered a read after `sinceMs`, and says it is ready. */
async function recovered(load: FaultLoad, nodes: ServerProcess[], sinceMs: number): Promise<number[]> {
  await vi.waitFor(
    () => {
      for (let n = 0; n < nodes.length; n++) {
        expect(load.acknowledged(n, sinceMs), `node ${n} acknowledges again`).toBeGreaterThanOrEqual(10);
        expect(load.reads.some((r) => r.node === n && r.status === 200 && r.atMs > sinceMs)).toBe(true);
        expect(load.health.some((h) => h.node === n && h.status === 200 && h.atMs > sinceMs)).toBe(true);
      }
    },
    { timeout: RECOVERY_TIMEOUT_MS, interval: 100 },
  );
  return nodes.map((_, n) => load.firstAckAfter(n, sinceMs)!);
}

const startNode = (url: string) =>
  startServerProcess(['--database-url', url], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_SIGNING_KEY: signingKey,
  });

/**
 * Waits for every node to recover after the database is back (`backMs`), checks they all still run and that
 * no client saw anything but 201/200 and 503, and prints what clients saw from the fault (`atMs`) on and the
 * recovery times.
 */
async function expectRecovery(
  name: string,
  load: FaultLoad,
  nodes: ServerProcess[],
  atMs: number,
  backMs: number,
): Promise<void> {
  const recovery = await recovered(load, nodes, backMs);
  expectAlive(nodes);
  expect(load.unexpected).toEqual([]);
  const until = backMs + Math.max(...recovery);
  console.log(
    `${name}: first 201 per node ${recovery.map((ms) => `${ms} ms`).join(', ')} after the database was back ` +
      `(${backMs - atMs} ms after the fault); meanwhile writes ${load.statuses('writes', atMs, until)}, ` +
      `reads ${load.statuses('reads', atMs, until)}`,
  );
}

for (const nodeCount of [1, 2]) {
  describePrivatePostgres(`${nodeCount} node(s) on PostgreSQL while the database goes away`, () => {
    const database = `faults_${nodeCount}`;
    let url: string;
    let nodes: ServerProcess[] = [];
    let load: FaultLoad;

    beforeAll(async () => {
      url = await createDatabase(database);
      nodes = await Promise.all(Array.from({ length: nodeCount }, () => startNode(url)));
      load = new FaultLoad(nodes, TOKEN, `n${nodeCount}`);
      load.start(4);
      await recovered(load, nodes, 0);
    });
    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.kill().catch(() => {})));
    });

    it('every backend terminated (pg_terminate_backend)', async () => {
      const at = Date.now();
      expect(await cluster.terminateBackends(database)).toBeGreaterThan(0);
      await expectRecovery('pg_terminate_backend', load, nodes, at, at);
    });

    it('PostgreSQL restarted (pg_ctl restart -m fast)', async () => {
      const at = Date.now();
      await cluster.stop('fast');
      await cluster.start();
      await expectRecovery('restart -m fast', load, nodes, at, Date.now());
    });

    it('PostgreSQL stopped by a crash (-m immediate) for 5 s, then started', async () => {
      const at = Date.now();
      await cluster.stop('immediate');
      await pause(OUTAGE_MS);
      // Meanwhile every node answered 503 store_unavailable and said it is not ready, and stayed up.
      expectAlive(nodes);
      for (let n = 0; n < nodes.length; n++) {
        const down = load.health.filter((h) => h.node === n && h.atMs > at + 2_000);
        expect(down.length).toBeGreaterThan(0);
        for (const h of down) {
          expect(h.status).toBe(503);
          expect(JSON.parse(h.body)).toMatchObject({ status: 'unavailable', reason: expect.any(String) });
        }
        const writes = load.writes.filter((w) => w.node === n && w.atMs > at + 2_000);
        expect(writes.length).toBeGreaterThan(0);
        expect(writes.every((w) => w.status === 503)).toBe(true);
      }
      await cluster.start();
      await expectRecovery('stop -m immediate for 5 s', load, nodes, at, Date.now());
    });

    it('afterwards: every 201 stored exactly once, nothing else, verify passes, a clean shutdown', async () => {
      await load.stop();
      expect(load.unexpected).toEqual([]);
      expectAlive(nodes);
      const stored = await withClient(url, async (c) => {
        const { rows } = await c.query<{ id: string; seq: number }>(
          "SELECT id, seq::int AS seq FROM events WHERE event_type NOT LIKE 'auditlog.%'",
        );
        return rows;
      });
      console.log(`${nodeCount} node(s): ${stored.length} events stored, ${load.statuses('writes')}`);
      expect(stored.length).toBeGreaterThan(0);
      expectStoredExactlyOnce(load, stored);
      for (const node of nodes) expect(await node.stop()).toBe(0);
      const verify = await runCli(['verify', '--database-url', url]);
      expect(verify.stdout).toMatch(/^OK /);
      expect(verify.code).toBe(0);
    });

    // Once is enough: the shutdown of one node does not depend on how many share the database.
    if (nodeCount === 1)
      it('SIGTERM while PostgreSQL is away: the process ends within bounds and says the final checkpoint is not signed', async () => {
        const node = await startNode(url);
        nodes.push(node);
        const post = () =>
          fetch(`${node.url}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...sampleEvent(), id: `shutdown-${Date.now()}` }),
          });
        expect((await post()).status).toBe(201);
        await cluster.stop('immediate');
        try {
          const refused = await post();
          expect(refused.status).toBe(503);
          expect(refused.headers.get('retry-after')).toBe('1');
          const at = Date.now();
          expect(await node.stop()).toBe(1);
          console.log(`SIGTERM with PostgreSQL away: exited after ${Date.now() - at} ms`);
          expect(node.output()).toMatch(/final checkpoint not signed: PostgreSQL is unavailable/);
        } finally {
          await cluster.start();
        }
      });
  });
}

describePrivatePostgres('a connection lost during COMMIT', () => {
  let url: string;
  let node: ServerProcess | undefined;
  beforeAll(async () => {
    url = await createDatabase('faults_commit');
  });
  afterAll(async () => {
    await node?.kill().catch(() => {});
  });

  it('is answered 503 "may or may not be stored", and a retry with the same ids stores the batch once', async () => {
    node = await startNode(url);
    const events = ['a', 'b', 'c'].map((x) => sampleEvent({ id: `in-doubt-${x}` }));
    const post = () =>
      fetch(`${node!.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    // A deferred trigger holds the writer inside its COMMIT long enough to cut its connection there.
    await withClient(url, (c) =>
      c.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
               CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON chain_heads
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`),
    );
    const answer = post();
    await vi.waitFor(
      async () => {
        const waiting = await withClient(url, (c) =>
          c.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'", [
            'faults_commit',
          ]),
        );
        expect(waiting.rowCount).toBe(1);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(await cluster.terminateBackends('faults_commit')).toBeGreaterThan(0);
    const res = await answer;
    await withClient(url, (c) => c.query('DROP TRIGGER slow_commit ON chain_heads'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('store_unavailable');
    expect(body.error.message).toMatch(
      /during the commit .* may or may not be stored; retry it with the same ids/,
    );

    let retry: Response | undefined;
    await vi.waitFor(
      async () => {
        retry = await post();
        expect(retry.status).toBe(201);
      },
      { timeout: 20_000, interval: 200 },
    );
    const acks = ((await retry!.json()) as { events: { id: string; duplicate: boolean }[] }).events;
    expect(acks.map((a) => a.id)).toEqual(events.map((e) => e.id));
    const stored = await withClient(url, async (c) => {
      const { rows } = await c.query<{ id: string; n: number }>(
        "SELECT id, count(*)::int AS n FROM events WHERE id LIKE 'in-doubt-%' GROUP BY id ORDER BY id",
      );
      return rows;
    });
    expect(stored).toEqual(events.map((e) => ({ id: e.id, n: 1 })));
    expect(await node.stop()).toBe(0);
    const verify = await runCli(['verify', '--database-url', url]);
    expect(verify.stdout).toMatch(/^OK /);
  });
});
