// Tampering with a PostgreSQL store as an attacker with database access would (the owner, guard triggers
// dropped first): `auditlog verify --database-url` must exit 1 and name the first bad seq and why — the
// PostgreSQL twin of tamper.test.ts. Each attack works on its own copy of one prepared database
// (CREATE DATABASE … TEMPLATE), so the attacks cannot see each other.
import type pg from 'pg';
import { afterAll, beforeAll, type ExpectStatic, expect, it } from 'vitest';
import { entryHash } from '../../src/core/domain/hash-chain.js';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { formatTimestamp } from '../../src/core/domain/time.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { runCli } from '../helpers/cli.js';
import {
  cloneTestDatabase,
  createTestDatabase,
  describePostgres,
  type TestDatabase,
  withClient,
} from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const signing = generateSigningKey();
let original: TestDatabase;
const copies: TestDatabase[] = [];

/** Entries of tenant acme: 5 × (100 events + 20 sign-ins); globex: 2 events. */
const ACME_ENTRIES = 600;

beforeAll(async () => {
  original = await createTestDatabase();
  const store = await PostgresStore.open({ url: original.url, keyFile: dir.file('signing-key.pem') });
  const log = await openAuditLog({
    store,
    signingKey: signing.privatePem,
    checkpoints: { everyEntries: 100 },
  });
  try {
    for (let b = 0; b < 5; b++) {
      const events = Array.from({ length: 100 }, (_, i) =>
        sampleEvent({
          id: `e-${b}-${i}`,
          newValue: { maxChannels: b * 100 + i },
          target: { type: 'Carrier', id: `t-${i % 9}` },
        }),
      );
      await log.appendEvents('acme', { events });
      await log.auth.append('acme', {
        events: Array.from({ length: 20 }, (_, i) => ({
          id: `a-${b}-${i}`,
          type: 'login_failure',
          user: { username: `u${i}` },
          reason: 'bad_password',
          ip: '192.0.2.1',
        })),
      });
    }
    await log.appendEvents('globex', { events: [sampleEvent(), sampleEvent()] });
  } finally {
    await log.close();
  }
});

afterAll(async () => {
  await Promise.all(copies.map((c) => c.drop()));
  await original?.drop();
  dir.remove();
});

/**
 * A copy of the prepared database, tampered with by `tamper` as the owner; with `dropGuards`, the append-only
 * triggers are dropped first, as an attacker holding the owner's password would.
 */
async function tampered(tamper: (c: pg.Client) => Promise<void>, dropGuards = true): Promise<string> {
  const copy = await cloneTestDatabase(original);
  copies.push(copy);
  await withClient(copy.url, async (c) => {
    if (dropGuards) await dropTriggers(c);
    await tamper(c);
  });
  return copy.url;
}

/** Drops every trigger the schema defines (the copies on partitions go with their parent's). */
async function dropTriggers(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ name: string; table: string }>(
    `SELECT quote_ident(tgname) AS name, tgrelid::regclass::text AS table FROM pg_trigger
      WHERE NOT tgisinternal AND tgparentid = 0`,
  );
  if (rows.length < 6) throw new Error(`expected the append-only triggers, found ${rows.length}`);
  for (const r of rows) await c.query(`DROP TRIGGER ${r.name} ON ${r.table}`);
}

interface Verdict {
  code: number | null;
  stdout: string;
  tenant?: string;
  seq?: number;
  kind?: string;
}

/** `auditlog verify --database-url`, its exit code and the problem its FAILED line names. */
async function verify(url: string, ...args: string[]): Promise<Verdict> {
  const r = await runCli(['verify', '--database-url', url, ...args]);
  const m = /^FAILED tenant (\S+) seq (\d+): (.+?) — /.exec(r.stdout);
  return {
    code: r.code,
    stdout: r.stdout,
    ...(m ? { tenant: m[1], seq: Number(m[2]), kind: m[3]!.replaceAll(' ', '_') } : {}),
  };
}

/** At most two attacks at a time (each copies a database and runs the CLI): the machine has two cores. */
let slots = 2;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((r) => waiting.push(r));
  else slots--;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

/** A test that runs concurrently with the other attacks, two at a time. */
function attack(name: string, body: (expect: ExpectStatic) => Promise<void>): void {
  // Up to five run concurrently but only two work at a time: the wait counts against the timeout.
  it.concurrent(name, ({ expect }) => limited(() => body(expect)), 180_000);
}

async function one<T>(c: pg.Client, sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await c.query(sql, values);
  return Object.values(rows[0] ?? {})[0] as T;
}

const seqOf = async (c: pg.Client, table: string, id: string) =>
  Number(await one(c, `SELECT seq FROM ${table} WHERE tenant = 'acme' AND id = $1`, [id]));

describePostgres('auditlog verify --database-url on an intact store', () => {
  it('passes, exit 0, with every entry counted', async () => {
    const r = await verify(original.url);
    expect(r.stdout).toMatch(/^OK 602 entries in 2 tenant\(s\) intact; newest checkpoint /);
    expect(r.code).toBe(0);
  });

  attack(
    'passes on an untampered copy with the triggers dropped (the copy procedure itself changes nothing)',
    async (expect) => {
      const r = await verify(await tampered(async () => {}));
      expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK 602 entries/) });
    },
  );
});

describePostgres('auditlog verify --database-url catches and locates tampering', () => {
  attack('one value changed in an event body: altered', async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-2-17');
      const n = await c.query(
        `UPDATE events SET body = replace(body, '"maxChannels":217', '"maxChannels":999')
          WHERE tenant = 'acme' AND seq = $1 AND body LIKE '%"maxChannels":217%'`,
        [target],
      );
      expect(n.rowCount).toBe(1);
    });
    expect(await verify(url)).toMatchObject({ code: 1, tenant: 'acme', seq: target, kind: 'altered' });
  });

  attack('one value changed in a sign-in body: altered', async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'auth_events', 'a-3-7');
      const n = await c.query(
        `UPDATE auth_events SET body = replace(body, '192.0.2.1', '192.0.2.2') WHERE tenant = 'acme' AND seq = $1`,
        [target],
      );
      expect(n.rowCount).toBe(1);
    });
    expect(await verify(url)).toMatchObject({ code: 1, seq: target, kind: 'altered' });
  });

  attack('one row deleted: missing, naming the absent seq', async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-1-50');
      expect(
        (await c.query("DELETE FROM events WHERE tenant = 'acme' AND seq = $1", [target])).rowCount,
      ).toBe(1);
    });
    expect(await verify(url)).toMatchObject({ code: 1, tenant: 'acme', seq: target, kind: 'missing' });
  });

  attack(
    'a forged row, a copy of an old row under a new seq after the head: named at the new seq',
    async (expect) => {
      const url = await tampered(async (c) => {
        const source = await seqOf(c, 'events', 'e-0-3');
        await c.query(
          `INSERT INTO events SELECT tenant, $2::bigint, 'forged', occurred_ms, received_ms, actor_id, actor_username,
           actor_username_f, actor_display_name, action, category, event_type, target_type, target_id, target_id_f,
           target_name_f, ip_key, session_id, body, search, prev_hash, hash
           FROM events WHERE tenant = 'acme' AND seq = $1`,
          [source, ACME_ENTRIES + 1],
        );
      });
      const r = await verify(url);
      expect(r).toMatchObject({ code: 1, tenant: 'acme', seq: ACME_ENTRIES + 1 });
      expect(['altered', 'inserted']).toContain(r.kind);
    },
  );

  attack(
    'a forged row, a copy of a recent row under a new seq after the head: named at the new seq, not at the intact original',
    async (expect) => {
      let source = 0;
      const url = await tampered(async (c) => {
        source = await seqOf(c, 'events', 'e-4-97');
        await c.query(
          `INSERT INTO events SELECT tenant, $2::bigint, 'forged', occurred_ms, received_ms, actor_id, actor_username,
           actor_username_f, actor_display_name, action, category, event_type, target_type, target_id, target_id_f,
           target_name_f, ip_key, session_id, body, search, prev_hash, hash
           FROM events WHERE tenant = 'acme' AND seq = $1`,
          [source, ACME_ENTRIES + 1],
        );
      });
      expect(ACME_ENTRIES + 1 - source).toBeLessThan(64); // within the verifier's search radius for moved rows
      const r = await verify(url);
      expect(r).toMatchObject({ code: 1, tenant: 'acme', seq: ACME_ENTRIES + 1 });
      expect(['altered', 'inserted']).toContain(r.kind);
    },
  );

  attack('a forged row under an existing seq (no unique index stops it): inserted', async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-3-3');
      await c.query(
        `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip, ip_key,
           body, search, prev_hash, hash)
         SELECT tenant, seq, 'forged', occurred_ms + 1, received_ms, 'logout', 'x', 'x', '10.0.0.1', 'k', body, '',
           prev_hash, hash FROM events WHERE tenant = 'acme' AND seq = $1`,
        [target],
      );
    });
    expect(await verify(url)).toMatchObject({ code: 1, seq: target, kind: 'inserted' });
  });

  attack('a forged row with a correct hash, the rows after it renumbered: inserted', async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-2-40');
      for (const t of ['events', 'auth_events']) {
        await c.query(`UPDATE ${t} SET seq = seq + 1 WHERE tenant = 'acme' AND seq >= $1`, [target]);
      }
      const prev = await one<string>(c, "SELECT hash FROM events WHERE tenant = 'acme' AND seq = $1", [
        target - 1,
      ]);
      const body = JSON.stringify({ forged: true });
      const received = Date.now();
      const hash = entryHash('acme', target, 'event', formatTimestamp(received), prev, body);
      await c.query(
        `INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, action, category, event_type,
           target_type, target_id, target_id_f, body, search, prev_hash, hash)
         VALUES ('acme', $1, 'forged', $2, $2, 'x', 'update', 'users', 'x.y', 'X', 'x', 'x', $3, '', $4, $5)`,
        [target, received, body, prev, hash],
      );
    });
    expect(await verify(url)).toMatchObject({ code: 1, seq: target, kind: 'inserted' });
  });

  attack("two events' seqs swapped: reordered", async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-4-10');
      await c.query(
        `UPDATE events SET seq = CASE seq WHEN $1::bigint THEN $1::bigint + 1 ELSE $1::bigint END
          WHERE tenant = 'acme' AND seq IN ($1::bigint, $1::bigint + 1)`,
        [target],
      );
    });
    expect(await verify(url)).toMatchObject({ code: 1, tenant: 'acme', seq: target, kind: 'reordered' });
  });

  attack("an event's and a sign-in's seqs swapped across the two tables: reordered", async (expect) => {
    let target = 0;
    const url = await tampered(async (c) => {
      target = await seqOf(c, 'events', 'e-1-99'); // the sign-ins of batch 1 follow it
      expect(await seqOf(c, 'auth_events', 'a-1-0')).toBe(target + 1);
      await c.query("UPDATE events SET seq = seq + 1 WHERE tenant = 'acme' AND seq = $1", [target]);
      await c.query("UPDATE auth_events SET seq = seq - 1 WHERE tenant = 'acme' AND seq = $1", [target + 1]);
    });
    expect(await verify(url)).toMatchObject({ code: 1, seq: target, kind: 'reordered' });
  });

  attack(
    'a value changed and every later hash rewritten: the first checkpoint after it does not match',
    async (expect) => {
      let target = 0;
      let checkpoint = 0;
      const url = await tampered(async (c) => {
        target = await seqOf(c, 'events', 'e-1-5');
        checkpoint = Number(
          await one(c, "SELECT min(seq) FROM checkpoints WHERE tenant = 'acme' AND seq >= $1", [target]),
        );
        const { rows } = await c.query<{
          t: string;
          stream: 'event' | 'auth';
          seq: string;
          received_ms: string;
          body: string;
        }>(
          `SELECT 'events' AS t, 'event' AS stream, seq, received_ms, body FROM events WHERE tenant = 'acme' AND seq >= $1
         UNION ALL SELECT 'auth_events', 'auth', seq, received_ms, body FROM auth_events WHERE tenant = 'acme' AND seq >= $1
         ORDER BY seq`,
          [target],
        );
        let prev = await one<string>(c, "SELECT hash FROM events WHERE tenant = 'acme' AND seq = $1", [
          target - 1,
        ]);
        for (const r of rows) {
          const seq = Number(r.seq);
          const body = seq === target ? r.body.replace('"maxChannels":105', '"maxChannels":1') : r.body;
          if (seq === target) expect(body).not.toBe(r.body);
          const hash = entryHash('acme', seq, r.stream, formatTimestamp(Number(r.received_ms)), prev, body);
          await c.query(
            `UPDATE ${r.t} SET body = $1, prev_hash = $2, hash = $3 WHERE tenant = 'acme' AND seq = $4`,
            [body, prev, hash, seq],
          );
          prev = hash;
        }
        await c.query("UPDATE chain_heads SET hash = $1 WHERE tenant = 'acme'", [prev]);
      });
      expect(await verify(url)).toMatchObject({ code: 1, seq: checkpoint, kind: 'checkpoint_mismatch' });
      expect(checkpoint).toBeGreaterThanOrEqual(target);
      expect(checkpoint - target).toBeLessThan(100);
    },
  );

  attack('the tail cut off: missing', async (expect) => {
    const url = await tampered(async (c) => {
      await c.query("DELETE FROM events WHERE tenant = 'acme' AND seq >= $1", [ACME_ENTRIES - 5]);
      await c.query("DELETE FROM auth_events WHERE tenant = 'acme' AND seq >= $1", [ACME_ENTRIES - 5]);
    });
    const r = await verify(url);
    expect(r).toMatchObject({ code: 1, tenant: 'acme', kind: 'missing' });
    expect(r.seq).toBeLessThanOrEqual(ACME_ENTRIES - 5);
  });

  attack('a checkpoint changed: signature invalid', async (expect) => {
    let seq = 0;
    const url = await tampered(async (c) => {
      seq = Number(await one(c, "SELECT min(seq) FROM checkpoints WHERE tenant = 'acme'"));
      await c.query("UPDATE checkpoints SET hash = $1 WHERE tenant = 'acme' AND seq = $2", [
        '0'.repeat(64),
        seq,
      ]);
    });
    expect(await verify(url)).toMatchObject({ code: 1, seq, kind: 'checkpoint_signature_invalid' });
  });

  attack(
    "a month's partition truncated, with the guard triggers still in place: missing from seq 1",
    async (expect) => {
      let truncated = false;
      const url = await tampered(async (c) => {
        const partition = await one<string>(
          c,
          `SELECT tableoid::regclass::text FROM events WHERE tenant = 'acme' AND seq = $1`,
          [1],
        );
        expect(partition).toMatch(/^events_(p\d{6}|default)$/);
        // Refused once the guard covers partitions named directly; then there is nothing to find.
        truncated = await c.query(`TRUNCATE ${partition}`).then(
          () => true,
          () => false,
        );
      }, false);
      const r = await verify(url);
      if (truncated) expect(r).toMatchObject({ code: 1, tenant: 'acme', seq: 1, kind: 'missing' });
      else expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK 602 entries/) });
    },
  );
});
