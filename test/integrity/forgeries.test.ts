// The two forgeries of the red-team report (issue 20), replayed against a SQLite store through the real CLI
// and HTTP server: (1) a copy of the entry at a seq where `verify` ends a read batch (500, 1000), under
// another id and actor — the store must refuse it, and once the guards are dropped `verify` must name the
// seq and both ids; (2) the tail rewritten from seq 2500 and its checkpoints deleted — `verify` must report
// the checkpoints missing from the schedule, and a checkpoint the operator saved earlier must catch the
// rewrite even after a server has signed the forged chain. The PostgreSQL twin is postgres-forgeries.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, signCheckpoint } from '../../src/core/domain/signing.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { insertForgedCopy, relink } from '../helpers/forgery.js';
import {
  expectForgedCopyCaught,
  expectTailRewriteCaught,
  fillAndSaveCheckpoints,
  verifyCli,
} from '../helpers/forgery-checks.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'forgeries-test-token-0123456789';
const KEY = generateSigningKey();
const ENTRIES = 3400;
const dir = tempDir();
const original = dir.file('store.db');
/** The operator's checkpoints, kept outside the store: GET /v1/integrity/checkpoints/latest at 1500 and at the end. */
const saved = dir.file('saved-checkpoints.ndjson');
let copies = 0;

const serve = (file: string) =>
  startServerProcess(['--db', file], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_SIGNING_KEY: KEY.privatePem,
  });
const _get = (server: ServerProcess, path: string) =>
  fetch(server.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });

beforeAll(async () => {
  const server = await serve(original);
  try {
    await fillAndSaveCheckpoints(server, TOKEN, ENTRIES, saved);
    // The Merkle tree over all 3400 entries (it is extended in the background; a checkpoint catches it up),
    // for the tests that hold a tampered chain to it.
    const tree = await _get(server, '/v1/integrity/merkle/checkpoint');
    expect(((await tree.json()) as { treeSize: number }).treeSize).toBe(ENTRIES);
  } finally {
    expect(await server.stop()).toBe(0);
  }
}, 120_000);
afterAll(() => dir.remove());

/** A copy of the store; with `dropGuards`, every trigger is dropped first, as an attacker with the file would. */
function copyOf(attack: (db: Database.Database) => void, dropGuards = true): string {
  const file = dir.file(`copy-${copies++}.db`);
  copyFileSync(original, file);
  const db = new Database(file);
  try {
    if (dropGuards) {
      for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all())
        db.exec(`DROP TRIGGER "${t}"`);
    }
    attack(db);
  } finally {
    db.close();
  }
  return file;
}

const forge = (db: Database.Database, seq: number) => insertForgedCopy(db, 'default', seq);

/** Changes the event at `seq`, recomputes every later hash and the head, and deletes the checkpoints from `seq` on. */
/**
 * The attacker also removes the Merkle tree (a server rebuilds it from the forged chain); `keepTree` leaves
 * it, built from the true chain, for verify to hold the chain to.
 */
function rewriteTail(db: Database.Database, seq: number, keepTree = false): void {
  const rows = db
    .prepare(
      "SELECT seq, received_ms AS receivedMs, body FROM events WHERE tenant = 'default' AND seq >= ? ORDER BY seq",
    )
    .all(seq) as { seq: number; receivedMs: number; body: string }[];
  rows[0]!.body = rows[0]!.body.replace(`"maxChannels":${seq}`, '"maxChannels":1');
  const prev = db
    .prepare("SELECT hash FROM events WHERE tenant = 'default' AND seq = ?")
    .pluck()
    .get(seq - 1);
  const links = relink(
    'default',
    prev as string,
    rows.map((r) => ({ ...r, stream: 'event' as const })),
  );
  const update = db.prepare(
    "UPDATE events SET body = ?, prev_hash = ?, hash = ? WHERE tenant = 'default' AND seq = ?",
  );
  for (const [i, l] of links.entries()) update.run(rows[i]!.body, l.prevHash, l.hash, l.seq);
  db.prepare("UPDATE chain_heads SET hash = ? WHERE tenant = 'default'").run(links.at(-1)!.hash);
  db.prepare("DELETE FROM checkpoints WHERE tenant = 'default' AND seq >= ?").run(seq);
  if (!keepTree) dropTree(db);
}

function dropTree(db: Database.Database): void {
  db.exec(
    "DELETE FROM merkle_nodes WHERE tenant = 'default'; DELETE FROM merkle_sizes WHERE tenant = 'default'",
  );
}

const verify = verifyCli;

describe('finding 1: a forged copy of the entry at a seq', () => {
  it('is refused by the store, under a taken seq of either stream, and nothing changes', async () => {
    copyOf((db) => {
      for (const seq of [500, 1000]) {
        expect(() => forge(db, seq)).toThrow(/UNIQUE constraint failed: events.tenant, events.seq/);
        expect(() =>
          db
            .prepare(
              `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip_key, body, search, prev_hash, hash)
               SELECT tenant, seq, 'forged', occurred_ms, received_ms, 'logout', 'x', 'x', 'k', body, '', prev_hash, hash
               FROM events WHERE tenant = 'default' AND seq = ?`,
            )
            .run(seq),
        ).toThrow(/the seq belongs to another entry/);
      }
    }, false);
    const r = await verify('--db', dir.file(`copy-${copies - 1}.db`));
    expect(r.stdout).toMatch(/^OK 3,400 entries/);
    expect(r.code).toBe(0);
  });

  it.each([500, 1000])(
    'at seq %i, the seq index and guards dropped: verify fails naming the seq and both ids; GET serves the forgery, an export carries it and verify --file fails there',
    async (seq) => {
      let forgedId = '';
      const file = copyOf((db) => {
        db.exec('DROP INDEX events_seq');
        forgedId = forge(db, seq);
      });
      await expectForgedCopyCaught({
        seq,
        forgedId,
        verifyArgs: ['--db', file],
        serve: () => serve(file),
        token: TOKEN,
        publicKeyPem: KEY.key.publicKeyPem,
        exportFile: dir.file(`export-${seq}.ndjson`),
      });
    },
  );
});

describe('finding 2: the tail rewritten from seq 2500, its checkpoints deleted', () => {
  let rewritten = '';
  beforeAll(() => {
    rewritten = copyOf((db) => rewriteTail(db, 2500));
  });

  it('verify reports the checkpoint missing at 3000; a saved checkpoint catches the rewrite in the store and in an export, even after a server signed the forged chain', async () => {
    await expectTailRewriteCaught({
      verifyArgs: ['--db', rewritten],
      serve: () => serve(rewritten),
      token: TOKEN,
      saved,
      exportFile: dir.file('rewritten.ndjson'),
    });
  });

  it('checkpoints deleted below a newer one are named as deleted', async () => {
    const file = copyOf((db) => {
      db.prepare("DELETE FROM checkpoints WHERE tenant = 'default' AND seq IN (1000, 2000)").run();
    });
    const r = await verify('--db', file);
    expect(r.failed).toEqual([
      'FAILED tenant default seq 1000: checkpoint missing — no checkpoint at seq 1000–2000 (2), where one is signed every 1,000 entries; 1000–2000 (2) deleted, since the later checkpoint 3400 exists',
    ]);
    expect(r.code).toBe(1);
  });

  it('with the Merkle tree left as it was, verify --merkle names the first node that no longer follows from the chain', async () => {
    const file = copyOf((db) => rewriteTail(db, 2500, true));
    expect((await verify('--db', file)).failed).toEqual([
      expect.stringMatching(/seq 3000: checkpoint missing/),
    ]);
    const r = await verify('--db', file, '--merkle');
    expect(r.failed).toEqual([
      'FAILED tenant default seq 2499: merkle mismatch — Merkle node 1/1249 (seqs 2499–2500) does not match the chain',
      expect.stringMatching(/^FAILED tenant default seq 3000: checkpoint missing — /),
    ]);
    expect(r.code).toBe(1);
  });

  it('a chain cut short below a saved checkpoint: missing, though the schedule alone is satisfied', async () => {
    const cut = (db: Database.Database) => {
      db.prepare("DELETE FROM events WHERE tenant = 'default' AND seq > 3000").run();
      db.prepare("DELETE FROM checkpoints WHERE tenant = 'default' AND seq > 3000").run();
      db.prepare(
        "UPDATE chain_heads SET seq = 3000, hash = (SELECT hash FROM events WHERE tenant = 'default' AND seq = 3000)",
      ).run();
    };
    // The Merkle tree still covers the 3400 entries: the cut shows there.
    expect((await verify('--db', copyOf(cut))).failed).toEqual([
      'FAILED tenant default seq 3001: merkle mismatch — the Merkle tree claims 3400 entries; the chain ends at 3000',
    ]);
    const file = copyOf((db) => {
      cut(db);
      dropTree(db);
    });
    expect((await verify('--db', file)).code).toBe(0);
    const r = await verify('--db', file, '--checkpoint', saved);
    expect(r.failed).toEqual([
      `FAILED tenant default seq 3001: missing — the checkpoint saved in ${saved}:2 at seq 3400 is signed but the chain ends at 3000`,
    ]);
    expect(r.code).toBe(1);
  });
});

describe('saved checkpoints (verify --checkpoint)', () => {
  it('an intact store and its exports extend them; a filtered export says which it does not reach', async () => {
    // A third one, at seq 1, that a filtered export's first event (seq 3) does not show.
    const db = new Database(original, { readonly: true });
    const hash = db.prepare("SELECT hash FROM events WHERE tenant = 'default' AND seq = 1").pluck().get();
    db.close();
    const first = signCheckpoint(KEY.key, {
      tenant: 'default',
      seq: 1,
      hash: hash as string,
      signedAt: new Date().toISOString(),
    });
    const three = dir.file('three.ndjson');
    writeFileSync(
      three,
      `${readFileSync(saved, 'utf8')}${JSON.stringify({ ...first, publicKey: KEY.key.publicKeyPem })}\n`,
    );

    const r = await verify('--db', original, '--checkpoint', three);
    expect(r.stdout).toMatch(/; the chain extends all 3 saved checkpoint\(s\); /);
    expect(r.code).toBe(0);

    const all = await runCli(['export', '--db', original]);
    const allFile = dir.file('all.ndjson');
    writeFileSync(allFile, all.stdout);
    expect((await verify('--file', allFile, '--checkpoint', three)).stdout).toMatch(
      /; it extends 3 saved checkpoint\(s\); /,
    );

    const filtered = await runCli(['export', '--db', original, '--target-id', 't-3']);
    const filteredFile = dir.file('filtered.ndjson');
    writeFileSync(filteredFile, filtered.stdout);
    const f = await verify('--file', filteredFile, '--checkpoint', three);
    expect(f.stdout).toMatch(
      /; it extends 2 saved checkpoint\(s\); 1 not covered by this export \(default@1: /,
    );
    expect(f.code).toBe(0);
  });

  it('a file that holds no valid checkpoint is refused with exit 2, naming the file and line', async () => {
    const bad = dir.file('bad.ndjson');
    writeFileSync(bad, `${readFileSync(saved, 'utf8')}{"tenant":"default","seq":"x"}\n`);
    const r = await verify('--db', original, '--checkpoint', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: `);
    expect(r.stderr).toContain('/seq must be integer');
    expect(r.stderr).toContain('/hash is required');
    writeFileSync(bad, 'not json\n');
    expect((await verify('--db', original, '--checkpoint', bad)).stderr).toContain(`${bad}:1 is not JSON`);
  });
});

describe('a forged copy in an export file (verify --file)', () => {
  it('is named with both ids whichever copy comes first, also when the copy does not match its hash', async () => {
    const all = (await runCli(['export', '--db', original])).stdout.split('\n');
    const at = all.findIndex((l) => l.startsWith('{"seq":500,'));
    const copy = all[at]!.replace('"id":"e-500"', '"id":"forged-500"');
    for (const [name, lines] of [
      ['before', [...all.slice(0, at), copy, ...all.slice(at)]],
      ['after', [...all.slice(0, at + 1), copy, ...all.slice(at + 1)]],
    ] as const) {
      const file = dir.file(`copy-${name}.ndjson`);
      writeFileSync(file, lines.join('\n'));
      const r = await verify('--file', file);
      expect(r.failed, name).toEqual([
        expect.stringMatching(
          /^FAILED tenant default seq 500: inserted — line \d+: two events claim seq 500: ids /,
        ),
      ]);
      expect(r.failed[0]).toContain('e-500');
      expect(r.failed[0]).toContain('forged-500');
      expect(r.code).toBe(1);
    }
  });
});
