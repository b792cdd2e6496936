// Tampering with the stored log against what an auditor kept: a proof file from `auditlog prove` and a
// signed Merkle checkpoint. An attacker with file access (guard triggers dropped) alters, removes or reorders
// entries — keeping the chain's hashes consistent, and rebuilding the Merkle tables — and each shows.

import { createPublicKey } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConsistency,
  checkSignedCheckpoint,
  type ProofBundle,
  verifyProofBundle,
} from '../../src/core/domain/merkle/proof-bundle.js';
import type { TreeHead } from '../../src/core/domain/merkle/signed-note.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { relink } from '../helpers/forgery.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const original = dir.file('original.db');
const T = 'acme';
let saved: TreeHead;
let proof: ProofBundle;
let copies = 0;
const key = () => createPublicKey(readFileSync(`${original}.signing-key.pem`, 'utf8'));

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: original }) });
  await log.appendEvents(T, {
    events: Array.from({ length: 30 }, (_, i) => sampleEvent({ id: `e-${i + 1}`, newValue: { n: i } })),
  });
  const note = (await log.merkle.checkpoint(T)).note;
  await log.close();
  const check = checkSignedCheckpoint(note, key());
  if (!check.ok) throw new Error(check.reason);
  saved = check.head;
  // The auditor's proof file, written by the CLI.
  const out = dir.file('e-5.proof.json');
  const res = await runCli(['prove', 'e-5', '--db', original, '--tenant', T, '--out', out]);
  expect(res.code, res.stderr).toBe(0);
  proof = JSON.parse(readFileSync(out, 'utf8'));
});
afterAll(() => dir.remove());

interface Row {
  seq: number;
  id: string;
  received_ms: number;
  body: string;
}

/** A copy whose entries from `from` on are replaced by `rows` (chain relinked), with the Merkle tables rebuilt. */
async function tampered(
  change: (rows: Row[]) => Row[],
  from = 5,
): Promise<{ head: TreeHead; prove: (id: string) => Promise<ProofBundle>; consistency: string[] }> {
  const file = dir.file(`copy-${copies++}.db`);
  copyFileSync(original, file);
  copyFileSync(`${original}.signing-key.pem`, `${file}.signing-key.pem`);
  const db = new Database(file);
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all())
    db.exec(`DROP TRIGGER "${t}"`);
  const rows = db
    .prepare('SELECT seq, id, received_ms, body FROM events WHERE tenant = ? AND seq >= ? ORDER BY seq')
    .all(T, from) as Row[];
  const prevHash = db
    .prepare('SELECT hash FROM events WHERE tenant = ? AND seq = ?')
    .pluck()
    .get(T, from - 1) as string;
  const next = change(rows);
  const links = relink(
    T,
    prevHash,
    next.map((r, i) => ({
      seq: from + i,
      stream: 'event' as const,
      receivedMs: r.received_ms,
      body: r.body,
    })),
  );
  db.prepare('DELETE FROM events WHERE tenant = ? AND seq >= ?').run(T, from + next.length);
  const update = db.prepare(
    'UPDATE events SET id = ?, body = ?, received_ms = ?, prev_hash = ?, hash = ? WHERE tenant = ? AND seq = ?',
  );
  // Ids are unique: move them out of the way first.
  db.prepare("UPDATE events SET id = 'moving-' || seq WHERE tenant = ? AND seq >= ?").run(T, from);
  for (const [i, r] of next.entries())
    update.run(r.id, r.body, r.received_ms, links[i]!.prevHash, links[i]!.hash, T, from + i);
  const last = links.at(-1)!;
  db.prepare('UPDATE chain_heads SET seq = ?, hash = ? WHERE tenant = ?').run(last.seq, last.hash, T);
  db.exec('DELETE FROM merkle_nodes; DELETE FROM merkle_sizes;');
  db.close();
  const log = await openAuditLog({ store: await SqliteStore.open({ file }) });
  try {
    const head = checkSignedCheckpoint((await log.merkle.checkpoint(T)).note, key());
    if (!head.ok) throw new Error(head.reason);
    const consistency =
      head.head.size >= saved.size ? await log.merkle.consistency(T, saved.size, head.head.size) : [];
    const bundles = new Map<string, ProofBundle>();
    for (const r of next) bundles.set(r.id, await log.merkle.prove(T, r.id));
    return { head: head.head, prove: async (id) => bundles.get(id)!, consistency };
  } finally {
    await log.close();
  }
}

describe('a proof file and a saved checkpoint against a tampered store', () => {
  it('the untouched store: the CLI proof verifies, and the tree extends the saved checkpoint', async () => {
    expect(verifyProofBundle(proof, key())).toMatchObject({ ok: true });
    const same = await tampered((rows) => rows);
    expect(checkConsistency(saved, same.head, same.consistency)).toMatchObject({ ok: true });
  });

  it('an altered entry: its new proof fails against the saved checkpoint, and the log forks', async () => {
    const t = await tampered((rows) =>
      rows.map((r) => (r.id === 'e-5' ? { ...r, body: r.body.replace('"n":4', '"n":99') } : r)),
    );
    const fresh = await t.prove('e-5');
    expect(verifyProofBundle({ ...fresh, checkpoint: proof.checkpoint }, key())).toMatchObject({ ok: false });
    expect(checkConsistency(saved, t.head, t.consistency)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('fork'),
    });
  });

  it('a removed entry: the tree shrinks, and once refilled to the same size it forks', async () => {
    const shrunk = await tampered((rows) => rows.filter((r) => r.id !== 'e-7'));
    expect(checkConsistency(saved, shrunk.head, [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('shrank'),
    });
    const refilled = await tampered((rows) => [
      ...rows.filter((r) => r.id !== 'e-7'),
      { ...rows[2]!, id: 'e-31' },
    ]);
    expect(checkConsistency(saved, refilled.head, refilled.consistency)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('fork'),
    });
  });

  it('reordered entries: the tree forks, and the moved entry no longer proves at its saved place', async () => {
    const t = await tampered((rows) => [rows[1]!, rows[0]!, ...rows.slice(2)]);
    expect(checkConsistency(saved, t.head, t.consistency)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('fork'),
    });
    const moved = await t.prove('e-5');
    expect(moved.entry.seq).toBe(6);
    expect(verifyProofBundle({ ...moved, checkpoint: proof.checkpoint }, key())).toMatchObject({ ok: false });
  });
});
