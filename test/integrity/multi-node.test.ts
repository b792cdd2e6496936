// Two `auditlog serve` processes on one PostgreSQL database, under concurrent load from several clients and
// two tenants; one node is SIGKILLed mid-load while the other carries on. Afterwards the database must hold
// every acknowledged entry exactly once (under the seq it was acknowledged with), no batch in part, each
// tenant's seqs 1..N without a gap, and a chain that `auditlog verify --database-url` accepts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { sampleEvent } from '../helpers/test-server.js';

const ADMIN = 'gXnh_pqHX1945_QbjAGZxMztyIxRQIhB';
const TENANTS = ['acme', 'globex'] as const;
const CLIENTS = 6;
const BATCH = 50;
const AUTH_BATCH = 10;
const CYCLES = 3;
const signingKey = generateSigningKey().privatePem;

type Stream = 'event' | 'auth';

interface Batch {
  tenant: string;
  stream: Stream;
  ids: string[];
  /** Set from a 201 answer: the seq each id was acknowledged with. */
  acked?: Map<string, number>;
  /** The node that acknowledged it, or that was asked. */
  node: number;
}

let db: TestDatabase;
/** Each tenant's ingest token (created once, through the API). */
const tokens = new Map<string, string>();
/** Every batch ever sent, over all cycles. */
const sent: Batch[] = [];

const startNode = () =>
  startServerProcess(['--database-url', db.url], {
    AUDITLOG_BOOTSTRAP_TOKEN: ADMIN,
    AUDITLOG_SIGNING_KEY: signingKey,
  });

async function post(node: ServerProcess, token: string, path: string, body: unknown): Promise<Response> {
  return fetch(node.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function bodyOf(batch: Batch): unknown {
  if (batch.stream === 'auth') {
    return {
      events: batch.ids.map((id, i) => ({
        id,
        type: 'login_failure',
        user: { username: `user${i}` },
        reason: 'bad_password',
        ip: `198.51.100.${i + 1}`,
      })),
    };
  }
  const events = batch.ids.map((id, i) =>
    sampleEvent({ id, newValue: { maxChannels: i }, target: { type: 'Carrier', id: `trunk-${i % 7}` } }),
  );
  return events.length === 1 ? events[0] : { events };
}

/** Sends one batch; true when the node answered (whatever the status), false on a connection error. */
async function send(node: ServerProcess, nodeIndex: number, batch: Batch): Promise<boolean> {
  batch.node = nodeIndex;
  let res: Response;
  try {
    res = await post(
      node,
      tokens.get(batch.tenant)!,
      batch.stream === 'auth' ? '/v1/auth-events' : '/v1/events',
      bodyOf(batch),
    );
  } catch {
    return false;
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 201) return true;
  const answer = JSON.parse(text) as { events: { id: string; seq: number }[] };
  expect(answer.events.map((e) => e.id)).toEqual(batch.ids);
  batch.acked = new Map(answer.events.map((e) => [e.id, e.seq]));
  return true;
}

/**
 * One client: single events, batches of 50 events and batches of 10 sign-ins, in turn, to one node and one
 * tenant, until `stop()` or until its node is gone. Returns the batch it was sending when the node went away.
 */
async function client(
  node: ServerProcess,
  nodeIndex: number,
  tenant: string,
  name: string,
  stop: () => boolean,
): Promise<Batch | undefined> {
  for (let n = 0; !stop(); n++) {
    const stream: Stream = n % 3 === 2 ? 'auth' : 'event';
    const size = stream === 'auth' ? AUTH_BATCH : n % 3 === 0 ? 1 : BATCH;
    const batch: Batch = {
      tenant,
      stream,
      ids: Array.from({ length: size }, (_, i) => `${name}-${n}-${i}`),
      node: nodeIndex,
    };
    sent.push(batch);
    if (!(await send(node, nodeIndex, batch))) return batch;
  }
  return undefined;
}

interface Row {
  tenant: string;
  seq: number;
  id: string;
  stream: Stream;
  /** Events only: the log's own `auditlog.*` events (the tokens created in cycle 1) are nobody's load. */
  eventType: string | null;
}

async function storedRows(): Promise<{ rows: Row[]; heads: Map<string, number> }> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<Omit<Row, 'seq'> & { seq: string }>(
      `SELECT tenant, seq, id, 'event' AS stream, event_type AS "eventType" FROM events
       UNION ALL SELECT tenant, seq, id, 'auth', NULL FROM auth_events ORDER BY tenant, seq`,
    );
    const heads = await c.query<{ tenant: string; seq: string }>('SELECT tenant, seq FROM chain_heads');
    return {
      rows: rows.map((r) => ({ ...r, seq: Number(r.seq) })),
      heads: new Map(heads.rows.map((h) => [h.tenant, Number(h.seq)])),
    };
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describePostgres('two nodes on one PostgreSQL database, one SIGKILLed mid-load', () => {
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const victim = cycle % 2; // which node dies: A, then B, then A
    it(`cycle ${cycle + 1}: node ${'AB'[victim]} killed; every acknowledged entry kept once, no half batch, seqs without gaps, the chain verifies`, async () => {
      // The first cycle starts both nodes together on the empty database: one migration, one bootstrap token.
      const nodes: ServerProcess[] = await Promise.all([startNode(), startNode()]);
      const survivor = nodes[1 - victim]!;
      try {
        if (cycle === 0) {
          for (const tenant of TENANTS) {
            const res = await post(nodes[0]!, ADMIN, '/v1/tokens', {
              tenant,
              scopes: ['ingest'],
              name: `load-${tenant}`,
            });
            expect(res.status).toBe(201);
            tokens.set(tenant, ((await res.json()) as { token: string }).token);
          }
        }
        const before = sent.length;
        let stopVictim = false;
        let stopSurvivor = false;
        // Six clients, three per node; each node gets both tenants, so both nodes append to one chain each.
        const running = Array.from({ length: CLIENTS }, (_, c) => {
          const n = c % 2;
          const tenant = TENANTS[Math.floor(c / 2) % 2]!;
          return client(nodes[n]!, n, tenant, `c${cycle}-n${n}-w${c}`, () =>
            n === victim ? stopVictim : stopSurvivor,
          );
        });
        const ackedBy = (n: number) => sent.slice(before).filter((b) => b.acked && b.node === n).length;
        // Kill mid-load, once the victim has acknowledged a fair number of writes (however slow the machine).
        for (let i = 0; i < 600 && (ackedBy(victim) < 20 || ackedBy(1 - victim) < 10); i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        await nodes[victim]!.kill();
        const victimClients = running.filter((_, c) => c % 2 === victim);
        const interrupted = (await Promise.all(victimClients)).filter((b) => b !== undefined);
        stopVictim = true;
        // The survivor carries on for a while, with its clients still posting.
        const survivorAcked = ackedBy(1 - victim);
        for (let i = 0; i < 200 && ackedBy(1 - victim) < survivorAcked + 15; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        // The killed node's clients retry what they were sending on the survivor: stored once at most.
        for (const batch of interrupted) {
          expect(await send(survivor, 1 - victim, batch)).toBe(true);
          expect(batch.acked, `retry of ${batch.ids[0]} acknowledged`).toBeDefined();
        }
        stopSurvivor = true;
        await Promise.all(running);
        expect(await survivor.stop()).toBe(0);

        const mine = sent.slice(before);
        expect(mine.filter((b) => b.acked && b.node === victim).length).toBeGreaterThanOrEqual(20);
        expect(mine.filter((b) => b.acked && b.node !== victim).length).toBeGreaterThanOrEqual(25);
        for (const tenant of TENANTS) {
          for (const n of [0, 1]) {
            expect(
              mine.some((b) => b.acked && b.node === n && b.tenant === tenant),
              `node ${n} acknowledged writes for ${tenant}`,
            ).toBe(true);
          }
        }
      } finally {
        await Promise.all(nodes.map((n) => n.kill().catch(() => {})));
      }

      const { rows, heads } = await storedRows();
      const key = (tenant: string, stream: string, id: string) => `${tenant}/${stream}/${id}`;
      const stored = new Map<string, Row[]>();
      for (const r of rows) {
        const k = key(r.tenant, r.stream, r.id);
        stored.set(k, [...(stored.get(k) ?? []), r]);
      }
      const twice = [...stored].filter(([, list]) => list.length > 1).map(([k]) => k);
      expect(twice, 'entries stored more than once').toEqual([]);

      const acked = sent.filter((b) => b.acked);
      expect(acked.length).toBeGreaterThan(0);
      const lost: string[] = [];
      const moved: string[] = [];
      for (const b of acked) {
        for (const [id, seq] of b.acked!) {
          const found = stored.get(key(b.tenant, b.stream, id));
          if (!found) lost.push(id);
          else if (found[0]!.seq !== seq)
            moved.push(`${id}: acknowledged as ${seq}, stored as ${found[0]!.seq}`);
        }
      }
      expect(lost, 'acknowledged entries missing').toEqual([]);
      expect(moved, 'acknowledged entries stored under another seq').toEqual([]);

      const half = sent.filter((b) => {
        const kept = b.ids.filter((id) => stored.has(key(b.tenant, b.stream, id))).length;
        return kept !== 0 && kept !== b.ids.length;
      });
      expect(
        half.map((b) => `${b.ids[0]}: ${b.ids.length}`),
        'batches stored in part',
      ).toEqual([]);

      const known = new Set(sent.flatMap((b) => b.ids.map((id) => key(b.tenant, b.stream, id))));
      const strangers = rows.filter(
        (r) => !known.has(key(r.tenant, r.stream, r.id)) && !r.eventType?.startsWith('auditlog.'),
      );
      expect(
        strangers.map((r) => `${r.tenant}/${r.seq}/${r.id}`),
        'entries nobody sent',
      ).toEqual([]);

      for (const tenant of TENANTS) {
        const seqs = rows.filter((r) => r.tenant === tenant).map((r) => r.seq);
        expect(seqs.length).toBeGreaterThan(0);
        const gaps = seqs.flatMap((s, i) => (s === i + 1 ? [] : [`position ${i + 1} holds seq ${s}`]));
        expect(gaps.slice(0, 5), `${tenant}: seqs 1..N without gaps`).toEqual([]);
        expect(heads.get(tenant), `${tenant}: chain head`).toBe(seqs.length);
      }

      // The chain as a whole (every cycle so far): in process between cycles, with the command after the last.
      if (cycle < CYCLES - 1) {
        const store = await PostgresStore.open({ url: db.url, readonly: true });
        try {
          const report = await verifyStore(store);
          expect(report.problem).toBeUndefined();
          expect(report.entries).toBe(rows.length);
        } finally {
          await store.close();
        }
      } else {
        const verify = await runCli(['verify', '--database-url', db.url]);
        expect(verify.stdout).toMatch(
          new RegExp(`^OK ${rows.length.toLocaleString('en-US')} entries in 2 tenant`),
        );
        expect(verify.code).toBe(0);
      }
    });
  }
});
