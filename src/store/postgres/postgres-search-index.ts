import type { AppendPlan } from '../sql/append-plan.js';
import {
  buildChunks,
  type ChunkSource,
  chunkStrings,
  POSTGRES_CHUNK_ENTRIES,
  storedChunkStrings,
} from '../sql/search-chunks.js';
import { type PgClient, pgText } from './postgres-connection.js';
import { type HeadState, insertRows } from './postgres-writer-rows.js';

/**
 * Adds the group's events to their tenants' search chunks: once a tenant has a full chunk (POSTGRES_CHUNK_ENTRIES events) past
 * `indexed_seq`, its documents are written and `indexed_seq` advances. Entries above `indexed_seq` are
 * found by queries with a plain scan, so every committed event is searchable at once. All of it happens
 * under the head lock, so nodes sharing the database build the same chunks.
 */
export async function indexChunks(
  client: PgClient,
  locked: Map<string, HeadState>,
  plan: AppendPlan,
): Promise<Map<string, HeadState>> {
  const next = new Map<string, HeadState>();
  const added = new Map<string, ChunkSource[]>();
  for (const { tenant, entry, seq } of plan.events) {
    let list = added.get(tenant);
    if (!list) {
      list = [];
      added.set(tenant, list);
    }
    list.push({ rid: seq, strings: chunkStrings(entry) });
  }
  for (const [tenant, before] of locked) {
    const head = plan.head(tenant);
    const state = {
      seq: head.seq,
      hash: head.hash,
      indexedSeq: before.indexedSeq,
      unindexed: before.unindexed,
    };
    next.set(tenant, state);
    const fresh = added.get(tenant) ?? [];
    if (before.unindexed + fresh.length < POSTGRES_CHUNK_ENTRIES) {
      state.unindexed += fresh.length;
      continue;
    }
    const open =
      before.unindexed === 0 ? [] : await storedChunkSources(client, tenant, before.indexedSeq, before.seq);
    const all = [...open, ...fresh];
    const full = Math.floor(all.length / POSTGRES_CHUNK_ENTRIES) * POSTGRES_CHUNK_ENTRIES;
    if (full === 0) {
      // Open entries were purged meanwhile: fewer left than the counter said.
      state.unindexed = all.length;
      continue;
    }
    const chunks = buildChunks(all.slice(0, full), POSTGRES_CHUNK_ENTRIES);
    await insertRows(
      client,
      'event_search_chunks',
      [
        ['tenant', 'text'],
        ['lo', 'int8'],
        ['hi', 'int8'],
        ['doc', 'text'],
      ],
      chunks.map((c) => [tenant, c.lo, c.hi, pgText(c.doc)]),
    );
    state.indexedSeq = all[full - 1]!.rid;
    state.unindexed = all.length - full;
  }
  return next;
}

/** The chunk sources of a tenant's stored entries in (afterSeq, upToSeq], in seq order. */
export async function storedChunkSources(
  client: Pick<PgClient, 'query'>,
  tenant: string,
  afterSeq: number,
  upToSeq: number,
): Promise<ChunkSource[]> {
  const found = await client.query<{
    seq: number;
    search: string;
    target_type: string;
    target_id_f: string;
    target_name_f: string | null;
    ip_key: string | null;
  }>(
    `SELECT seq, search, target_type, target_id_f, target_name_f, ip_key FROM events
       WHERE tenant = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
    [tenant, afterSeq, upToSeq],
  );
  return found.rows.map((r) => ({
    rid: r.seq,
    strings: storedChunkStrings(r.search, r.target_type, r.target_id_f, r.target_name_f, r.ip_key),
  }));
}
