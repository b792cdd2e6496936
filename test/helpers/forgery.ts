// What an attacker with write access to the tables can compute without the signing key: a forged copy of an
// entry with a correct hash, and a rewritten chain. The tamper tests insert these with each store's own SQL.
import type Database from 'better-sqlite3';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import type { Stream } from '../../src/core/domain/entry.js';
import { entryHash, type SealedLink, sealEntries } from '../../src/core/domain/hash-chain.js';
import { formatTimestamp } from '../../src/core/domain/time.js';

export const FORGED_ACTOR = { id: 'usr_mallory', type: 'user', username: 'mallory', displayName: 'Mallory' };

/**
 * A copy of the event stored at `seq`, under another id and actor, whose hash is correct for `seq` and
 * links to the entry before it — so it looks as valid as the original, for a verifier that reads it.
 */
export function forgedCopy(
  tenant: string,
  row: { seq: number; receivedMs: number; prevHash: string; body: string },
  id = `forged-${row.seq}`,
): { id: string; body: string; hash: string } {
  const body = canonicalJson({ ...JSON.parse(row.body), id, actor: FORGED_ACTOR });
  const hash = entryHash(tenant, row.seq, 'event', formatTimestamp(row.receivedMs), row.prevHash, body);
  return { id, body, hash };
}

/** New links for `rows` (in seq order, the first right after the entry whose hash is `prevHash`). */
export function relink(
  tenant: string,
  prevHash: string,
  rows: { seq: number; stream: Stream; receivedMs: number; body: string }[],
): SealedLink[] {
  const first = rows[0];
  if (!first) return [];
  return sealEntries(
    { seq: first.seq - 1, hash: prevHash },
    tenant,
    rows.map((r) => ({ stream: r.stream, receivedAt: formatTimestamp(r.receivedMs), body: r.body })),
  );
}

/** Inserts into a SQLite store a forged copy (forgedCopy) of the event at `seq`; returns its id. */
export function insertForgedCopy(db: Database.Database, tenant: string, seq: number): string {
  const row = db.prepare('SELECT * FROM events WHERE tenant = ? AND seq = ?').get(tenant, seq) as Record<
    string,
    unknown
  > & { received_ms: number; prev_hash: string; body: string };
  const copy = forgedCopy(tenant, {
    seq,
    receivedMs: row.received_ms,
    prevHash: row.prev_hash,
    body: row.body,
  });
  const forged: Record<string, unknown> = {
    ...row,
    id: copy.id,
    actor_id: FORGED_ACTOR.id,
    actor_username: FORGED_ACTOR.username,
    actor_username_f: FORGED_ACTOR.username,
    body: copy.body,
    hash: copy.hash,
  };
  delete forged.rid;
  const columns = Object.keys(forged);
  db.prepare(`INSERT INTO events (${columns}) VALUES (${columns.map(() => '?')})`).run(
    ...Object.values(forged),
  );
  return copy.id;
}
