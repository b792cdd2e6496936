import {
  ChainVerifier,
  type CheckpointToCheck,
  type Problem,
  type TenantResult,
} from '../domain/chain-verifier.js';
import { DEFAULT_CHECKPOINT_EVERY } from '../domain/checkpoint-schedule.js';
import type { SavedCheckpoint } from '../domain/saved-checkpoints.js';
import type { SignedCheckpoint } from '../domain/signing.js';
import type { Store } from '../ports/store.js';
import { MerkleNodeCheck } from './verify-merkle.js';

export interface VerifyOptions {
  tenant?: string;
  /** Key id → public key PEM. Without it, the keys recorded in the store (and carried by saved checkpoints) are trusted. */
  trustedKeys?: ReadonlyMap<string, string>;
  /** Checkpoints the verifier kept: the chain MUST still extend each (same hash at its seq). */
  saved?: readonly SavedCheckpoint[];
  /** The checkpoint schedule (checkpoint-schedule.ts): a checkpoint every this many entries; 0: not checked. */
  checkpointEvery?: number;
  /**
   * How long a checkpoint the schedule requires after the newest one is waited for (a live server signs it
   * just after the commit); default 2 s. Only a verify that would fail waits.
   */
  tailGraceMs?: number;
  /**
   * Also recompute every stored Merkle node from the chain (verify-merkle.ts); without it only the size the
   * tree claims is held to the chain.
   */
  merkleNodes?: boolean;
  /** Called with the number of entries checked so far. */
  onProgress?: (entries: number) => void;
}

export interface VerifyReport {
  tenants: TenantResult[];
  entries: number;
  /** Every problem found: per tenant the chain's first one and the missing checkpoints. */
  problems: Problem[];
  problem: Problem | undefined;
  elapsedMs: number;
  keySource: 'given' | 'store';
}

/**
 * Entries per read. Small on purpose: a batch of 20,000 bodies (~14 MB of strings) outlived the young
 * generation and left a third of the time to the garbage collector; 500 die young (SQLite, 255k entries:
 * 150k → 290k entries/s; PostgreSQL the same at either size).
 */
const BATCH = 500;
const TAIL_GRACE_MS = 2000;

/**
 * Recomputes every tenant's chain in the store and checks every checkpoint, the checkpoint schedule and the
 * saved checkpoints; a tenant's scan stops at its first problem. Reads are ranges of seqs (store.ts
 * scanChain), starting below seq 1, so no row — a forged copy of a seq, a row at seq 0 — is left unread.
 */
export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const saved = options.saved ?? [];
  const keys = options.trustedKeys ?? (await storeKeys(store, saved));
  const tenants = options.tenant
    ? [options.tenant]
    : [...new Set([...(await store.tenants()), ...saved.map((c) => c.tenant)])].sort();
  const results: TenantResult[] = [];
  let entries = 0;
  for (const tenant of tenants) {
    const checkpoints: CheckpointToCheck[] = [
      ...(await allCheckpoints(store, tenant)),
      ...saved.filter((c) => c.tenant === tenant),
    ];
    const verifier = new ChainVerifier(
      tenant,
      checkpoints,
      keys,
      options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
      // Tombstones (purged entries) are held to these signed records.
      await store.lifecycle.listPurges(tenant),
    );
    // The writer's own record of the head, read first: a live server appends while the chain is read.
    const head = await store.chainHead(tenant);
    const merkle = await MerkleNodeCheck.start(store, tenant, options.merkleNodes ?? false);
    let next = store.scanChain(tenant, Number.MIN_SAFE_INTEGER, BATCH);
    for (;;) {
      const rows = await next;
      if (rows.length === 0) break;
      // The next rows are read (by a reader thread or the database) while these are hashed.
      next = store.scanChain(tenant, rows[rows.length - 1]!.seq, BATCH);
      verifier.pushAll(rows);
      if (!verifier.failed) merkle.push(rows);
      entries += rows.length;
      options.onProgress?.(entries);
      if (verifier.failed) break;
    }
    // A read still in flight must settle before the store closes.
    await next.catch(() => {});
    // A live server signs a scheduled checkpoint just after the commit that reached it: look again for
    // those signed since, and give one after the newest checkpoint a moment (only then: a failing verify).
    const scanned = performance.now();
    for (let gap = verifier.firstGap; gap !== undefined; gap = verifier.firstGap) {
      verifier.fillGaps(await allCheckpoints(store, tenant, gap - 1));
      if (!verifier.tailGap || performance.now() - scanned >= (options.tailGraceMs ?? TAIL_GRACE_MS)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = verifier.finish();
    const chainIntact = result.problems.every((p) => p.kind === 'checkpoint_missing');
    if (chainIntact && head && head.seq > result.lastSeq) {
      // A chain that ends before the head its writer recorded was cut short.
      result.problems.push({
        tenant,
        seq: result.lastSeq + 1,
        kind: 'missing',
        message: `the chain ends at ${result.lastSeq} but its head was ${head.seq}`,
      });
      result.problems.sort((a, b) => a.seq - b.seq);
      result.problem = result.problems[0];
    }
    // The Merkle tree's stored nodes follow from an intact chain: recomputed, they must be the stored ones.
    const intact = result.problems.every((p) => p.kind === 'checkpoint_missing');
    const treeProblem = await merkle.finish(result.lastSeq);
    if (intact && treeProblem) {
      result.problems.push(treeProblem);
      result.problems.sort((a, b) => a.seq - b.seq);
      result.problem = result.problems[0];
    }
    results.push(result);
  }
  const problems = results.flatMap((r) => r.problems);
  return {
    tenants: results,
    entries,
    problems,
    problem: problems[0],
    elapsedMs: performance.now() - started,
    keySource: options.trustedKeys ? 'given' : 'store',
  };
}

/** The store's keys, plus the keys saved checkpoints carry (the verifier kept those; the store may not). */
async function storeKeys(store: Store, saved: readonly SavedCheckpoint[]): Promise<Map<string, string>> {
  const keys = new Map((await store.publicKeys()).map((k) => [k.keyId, k.publicKeyPem] as const));
  for (const c of saved) if (c.publicKey && !keys.has(c.keyId)) keys.set(c.keyId, c.publicKey);
  return keys;
}

async function allCheckpoints(store: Store, tenant: string, after = 0): Promise<SignedCheckpoint[]> {
  const out: SignedCheckpoint[] = [];
  for (;;) {
    const page = await store.listCheckpoints(tenant, after, 10_000);
    out.push(...page);
    if (page.length < 10_000) return out;
    after = page[page.length - 1]!.seq;
  }
}
