import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { entryLeafHash } from '../src/core/domain/merkle/merkle-hash.js';
import { appendLeaves, type StoredNode } from '../src/core/domain/merkle/merkle-proofs.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';

/** Bump when the rows written change, so cached files are rebuilt. */
const VERSION = 2;
const CHUNK = 500_000;
/** Leaves per tree transaction: larger than the server's 4096, the load being a one-off. */
const TREE_STEP = 65_536;

export interface LoadedChain {
  file: string;
  /** Seconds to write the entries, and to build the tree over them (undefined: cached from a run before). */
  loadSeconds?: number;
  treeSeconds?: number;
}

/**
 * The SQLite file for the Merkle proof benchmark at 1M and 10M entries, where the append path (about 2,000
 * events/s on the shared machine) would take hours. What is real and what is not:
 *
 * - `events` rows are written by SQL (a recursive CTE, CHUNK rows per transaction) into the store's own
 *   schema, migrations and indexes: tenant `default`, seq 1..n, id `mb-<seq>`, one-second-apart times, a
 *   small JSON body, and a synthetic hash chain — hash(seq) = SHA-256("auditlog-bench:" + seq) in hex,
 *   prev_hash = hash(seq − 1) — as bench/postgres-loader.ts does for PostgreSQL. It links (the tree only
 *   takes an unbroken chain) but is not the canonical-body hash, so `auditlog verify` would fail; no search
 *   chunks, actors or authentication events.
 *   The four query indexes of `events` (time, actor, type, session) are dropped: proofs read by id and seq.
 * - the tree is built by the code MerkleLog.catchUp runs, minus its reading of the chain back: appendLeaves
 *   over the leaves of those hashes (the loader knows them), stored by the store's own merkle.extend, in
 *   steps of TREE_STEP leaves — the same merkle_nodes and merkle_sizes rows a server writes (catchUp reads
 *   the chain through scanChain, about 12k entries/s here, which made 10M entries a quarter of an hour).
 *   The benchmark checks sampled proofs against the signed root, with each leaf from its stored row.
 */
export async function loadChainSqlite(entries: number): Promise<LoadedChain> {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}merkle-chain-${entries}-v${VERSION}.db`;
  if (existsSync(file)) return { file };
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(tmp + s, { force: true });
  await (await SqliteStore.open({ file: tmp })).close(); // the schema, by the store's migrations
  const started = performance.now();
  const db = new Database(tmp);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.function('bench_hash', { deterministic: true }, (seq) => benchHash(Number(seq)));
  const insert = db.prepare(`
    WITH RECURSIVE s(seq) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT seq + 1 FROM s WHERE seq < ?)
    INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, action, category, event_type,
                        target_type, target_id, target_id_f, body, search, prev_hash, hash)
    SELECT 'default', seq, 'mb-' || seq, 1700000000000 + seq * 1000, 1700000000000 + seq * 1000, 'bench',
           'bench.entry', 'system', 'bench.entry', 'entry', 'e' || seq, 'e' || seq,
           '{"id":"mb-' || seq || '","seq":' || seq || '}', '', bench_hash(seq - 1), bench_hash(seq)
      FROM s`);
  // Proofs read events by id and seq only: the four query indexes would cost every row and serve nothing.
  for (const index of ['events_time', 'events_actor', 'events_type', 'events_session'])
    db.exec(`DROP INDEX ${index}`);
  for (let from = 1; from <= entries; from += CHUNK) {
    db.transaction(() => insert.run(from, Math.min(entries, from + CHUNK - 1)))();
    process.stderr.write(`bench: merkle loader ${Math.min(entries, from + CHUNK - 1)}/${entries}\n`);
  }
  db.prepare("INSERT INTO chain_heads (tenant, seq, hash) VALUES ('default', ?, ?)").run(
    entries,
    benchHash(entries),
  );
  db.prepare("INSERT INTO search_progress (tenant, indexed_seq) VALUES ('default', ?)").run(entries);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const loadSeconds = (performance.now() - started) / 1000;
  const treeStarted = performance.now();
  const store = await SqliteStore.open({ file: tmp });
  let frontier: StoredNode[] = [];
  for (let size = 0; size < entries; ) {
    const step = Math.min(TREE_STEP, entries - size);
    const leaves = Array.from({ length: step }, (_, i) => entryLeafHash(benchHash(size + i + 1)));
    const next = appendLeaves(frontier, size, leaves);
    await store.merkle.extend(
      'default',
      size + step,
      next.nodes.filter((n) => n.level > 0),
    );
    frontier = next.frontier;
    size += step;
  }
  await store.close();
  const treeSeconds = (performance.now() - treeStarted) / 1000;
  for (const s of ['', '.signing-key.pem']) if (existsSync(tmp + s)) renameSync(tmp + s, file + s);
  return { file, loadSeconds, treeSeconds };
}

/** The synthetic chain's hash of `seq` (all zeros before the first entry, as a real chain starts). */
export function benchHash(seq: number): string {
  return seq <= 0 ? '0'.repeat(64) : createHash('sha256').update(`auditlog-bench:${seq}`).digest('hex');
}
