import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openRuntime } from '../../src/cli/runtime.js';
import type { EventInput } from '../../src/core/domain/schemas/event-schema.js';
import { buildChunks, SQLITE_CHUNK_ENTRIES, storedChunkStrings } from '../../src/store/sql/search-chunks.js';
import { DATA_DIR } from './datasets.js';
import { SPAN_MS, skewedEvents } from './skewed-events.js';

/** Bump when skewed-events.ts or this loader changes, so cached datasets are rebuilt. */
const SKEWED_VERSION = 1;
/** Events written through the append path; larger logs are time-shifted replicas of them. */
export const POOL = 512 * SQLITE_CHUNK_ENTRIES;

/**
 * A SQLite database of `events` skewed events (seed `seed`) in bench/.data/, kept for later runs.
 *
 * A pool of POOL events goes through the library's append path (validation, hash chain, keyword chunks:
 * exactly what a server stores) over the first 1/R of the year; R − 1 replicas of it, each shifted one
 * slot later in time with its own rid, seq and id, are then copied in SQL, and the pool's keyword chunks
 * are written again for each replica (same documents, shifted rowids). Not real: the hash chain of the
 * replicas and the ids/times inside their bodies (the pool's) — queries read neither.
 */
export async function skewedDataset(
  events: number,
  seed: number,
): Promise<{ file: string; endMs: number; builtSeconds?: number }> {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}skewed-${events}-s${seed}-v${SKEWED_VERSION}.db`;
  if (existsSync(file)) return { file, endMs: newest(file) };
  const started = performance.now();
  const replicas = Math.max(1, Math.ceil(events / POOL));
  const poolSize = Math.min(events, POOL);
  const slot = Math.floor(SPAN_MS / replicas);
  const endMs = Date.now() - 60_000;
  const pool = await poolFile(poolSize, seed, endMs - SPAN_MS + slot, slot);
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true });
  copyFileSync(pool, tmp);
  copyFileSync(`${pool}.signing-key.pem`, `${tmp}.signing-key.pem`);
  replicate(tmp, poolSize, replicas, events, slot);
  renameSync(tmp, file);
  renameSync(`${tmp}.signing-key.pem`, `${file}.signing-key.pem`);
  return { file, endMs: newest(file), builtSeconds: (performance.now() - started) / 1000 };
}

async function poolFile(n: number, seed: number, endMs: number, spanMs: number): Promise<string> {
  const file = `${DATA_DIR}skewed-pool-${n}-s${seed}-v${SKEWED_VERSION}.db`;
  if (existsSync(file)) return file;
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(tmp + s, { force: true });
  process.stderr.write(
    `bench: writing a pool of ${n} skewed events (seed ${seed}) through the append path…\n`,
  );
  const log = await openRuntime({ db: tmp });
  try {
    let batch: EventInput[] = [];
    const inFlight = new Set<Promise<unknown>>();
    for (const e of skewedEvents(n, seed, endMs, spanMs)) {
      batch.push(e);
      if (batch.length < 1000) continue;
      const p = log.appendEvents('default', { events: batch });
      batch = [];
      inFlight.add(p);
      p.finally(() => inFlight.delete(p)).catch(() => {});
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    if (batch.length > 0) await log.appendEvents('default', { events: batch });
    await Promise.all(inFlight);
  } finally {
    await log.close();
  }
  const db = new Database(tmp);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.close();
  renameSync(tmp, file);
  renameSync(`${tmp}.signing-key.pem`, `${file}.signing-key.pem`);
  return file;
}

const COPIED = `tenant, occurred_ms, received_ms, actor_id, actor_username, actor_username_f, actor_display_name,
  action, category, event_type, target_type, target_id, target_id_f, target_name_f, ip_key, session_id, body,
  search, prev_hash, hash`;

function replicate(file: string, pool: number, replicas: number, events: number, slot: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  try {
    // Every chunk of the pool, rebuilt from its rows (the pool's open chunk included).
    const rows = db
      .prepare(
        `SELECT rid, search, target_type AS t, target_id_f AS i, target_name_f AS n, ip_key AS ip
         FROM events WHERE tenant = 'default' ORDER BY rid`,
      )
      .all() as { rid: number; search: string; t: string; i: string; n: string | null; ip: string | null }[];
    const chunks = buildChunks(
      rows.map((r) => ({ rid: r.rid, strings: storedChunkStrings(r.search, r.t, r.i, r.n, r.ip) })),
      SQLITE_CHUNK_ENTRIES,
    );
    const insert = db.prepare(`INSERT INTO events (rid, seq, id, ${COPIED})
      SELECT rid + @shift, seq + @shift, id || '-r' || @r, ${COPIED.replace('occurred_ms', 'occurred_ms + @dt')}
      FROM events WHERE rid <= @n`);
    const chunk = db.prepare("INSERT INTO event_search_chunks (lo, hi, tenant) VALUES (?, ?, 'default')");
    const doc = db.prepare('INSERT INTO event_search (rowid, doc) VALUES (?, ?)');
    db.transaction(() => {
      db.exec(
        "DELETE FROM event_search_chunks; INSERT INTO event_search(event_search) VALUES ('delete-all')",
      );
      for (let r = 0; r < replicas; r++) {
        const shift = r * pool;
        const n = Math.min(pool, events - shift);
        if (r > 0) insert.run({ shift, r, dt: r * slot, n });
        for (const c of chunks) {
          if (c.lo > n) break;
          chunk.run(c.lo + shift, Math.min(c.hi, n) + shift);
          doc.run(c.lo + shift, c.doc);
        }
        process.stderr.write(`bench: replica ${r + 1}/${replicas}\n`);
      }
      const top = db.prepare('SELECT max(seq) FROM events').pluck().get() as number;
      db.prepare("UPDATE chain_heads SET seq = ? WHERE tenant = 'default'").run(top);
      db.prepare("UPDATE search_progress SET indexed_seq = ? WHERE tenant = 'default'").run(top);
    })();
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function newest(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT max(occurred_ms) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}
