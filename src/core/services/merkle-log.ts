import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Stream } from '../domain/entry.js';
import { AuditError, invalidQuery, notFound } from '../domain/errors.js';
import { cosignatureKeyId, cosignatureTime } from '../domain/merkle/cosignature.js';
import { entryLeafHash } from '../domain/merkle/merkle-hash.js';
import {
  appendLeaves,
  consistencyPlan,
  inclusionPlan,
  nodeKey,
  type ProofPlan,
  rootPlan,
  type StoredNode,
} from '../domain/merkle/merkle-proofs.js';
import { frontierNodes, type NodeId } from '../domain/merkle/merkle-ranges.js';
import type { ProofBundle } from '../domain/merkle/proof-bundle.js';
import {
  COSIGNATURE_TYPE,
  checkpointBody,
  type NoteSignature,
  noteSignedBy,
  parseCheckpointBody,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierKey,
} from '../domain/merkle/signed-note.js';
import type { SigningKey } from '../domain/signing.js';
import { formatTimestamp } from '../domain/time.js';
import type { StoredCosignature } from '../ports/merkle-store.js';
import type { Store } from '../ports/store.js';
import { TenantQueue } from './tenant-queue.js';

/** Leaves read and hashed per step of catching up: one transaction of about twice as many node rows. */
const STEP = 4096;
/** How long after an append the tree is extended. */
const DELAY_MS = 100;

export interface SignedTreeHead {
  origin: string;
  treeSize: number;
  /** Hex. */
  rootHash: string;
  /** The C2SP signed note. */
  note: string;
  /** The log's verifier key, `<origin>+<key id>+<base64 key>`. */
  verifierKey: string;
}

/**
 * Each tenant's RFC 9162 Merkle tree over its entries (leaf i = SHA-256(0x00 || hash of the entry at seq
 * i + 1)), extended in the background from the chain — after appends, and before any proof that needs it —
 * and signed as C2SP checkpoints with the log's Ed25519 key. The origin names the log: `auditlog/<tenant>`.
 */
export class MerkleLog {
  readonly #store: Store;
  readonly #key: SigningKey;
  readonly #queue = new TenantQueue();
  readonly #pending = new Set<string>();
  /** Per tenant, the right edge of the tree this log extended last, and the hash of its last entry. */
  readonly #edges = new Map<string, { size: number; lastHash: string; frontier: StoredNode[] }>();
  /** Each tenant's newest signed head: signing is deterministic, so a size's note never changes. */
  readonly #heads = new Map<string, SignedTreeHead>();
  #publicKey: KeyObject | undefined;

  constructor(store: Store, key: SigningKey) {
    this.#store = store;
    this.#key = key;
  }

  origin(tenant: string): string {
    return `auditlog/${tenant}`;
  }

  /** The verifier key of the tenant's checkpoints (the log's own key under its origin). */
  verifierKey(tenant: string): string {
    this.#publicKey ??= createPublicKey(this.#key.privateKey);
    return verifierKey(this.origin(tenant), this.#publicKey);
  }

  /** Whether a parsed note carries this log's signature for the tenant's origin. */
  signedByLog(tenant: string, note: { body: string; signatures: NoteSignature[] }): boolean {
    this.#publicKey ??= createPublicKey(this.#key.privateKey);
    return noteSignedBy(note, this.origin(tenant), this.#publicKey);
  }

  /**
   * After an append: extend the tenant's tree shortly (appends within DELAY_MS share one run, so the tree
   * costs the ingest path one step per burst, not one per batch); errors wait for the next run.
   */
  noteAppended(tenant: string): void {
    if (this.#pending.has(tenant)) return;
    this.#pending.add(tenant);
    setTimeout(() => {
      void this.#queue
        .run(tenant, () => {
          this.#pending.delete(tenant);
          return this.#catchUp(tenant);
        })
        .catch(() => {});
    }, DELAY_MS).unref();
  }

  /** Waits for the background runs started so far (before the store closes). */
  async idle(): Promise<void> {
    await this.#queue.idle();
  }

  /** Extends the tenant's tree to the chain head; returns the size it covers. */
  catchUp(tenant: string): Promise<number> {
    return this.#queue.run(tenant, () => this.#catchUp(tenant));
  }

  /** The signed checkpoint of the tree at `treeSize` (default: the whole log now). */
  async checkpoint(tenant: string, treeSize?: number): Promise<SignedTreeHead> {
    return this.#head(tenant, await this.#sizeFor(tenant, treeSize));
  }

  /** The signed head of a size the tree covers; the newest one is kept, as most requests ask for it. */
  async #head(tenant: string, size: number): Promise<SignedTreeHead> {
    const kept = this.#heads.get(tenant);
    if (kept?.treeSize === size) return kept;
    const [root] = await this.#run(tenant, rootPlan(size));
    const origin = this.origin(tenant);
    const body = checkpointBody({ origin, size, rootHash: root! });
    this.#publicKey ??= createPublicKey(this.#key.privateKey);
    const head = {
      origin,
      treeSize: size,
      rootHash: root!.toString('hex'),
      note: signNote(body, origin, this.#key.privateKey),
      verifierKey: verifierKey(origin, this.#publicKey),
    };
    if (size >= (kept?.treeSize ?? 0)) this.#heads.set(tenant, head);
    return head;
  }

  /**
   * The proof bundle of one entry by id, in the tree at `treeSize` (default: now): an administrative event,
   * or with `stream` 'auth' an authentication event (both streams are leaves of the one tree).
   */
  async prove(
    tenant: string,
    eventId: string,
    treeSize?: number,
    stream: Stream = 'event',
  ): Promise<ProofBundle> {
    const row =
      stream === 'auth'
        ? await this.#store.getAuthEvent(tenant, eventId)
        : await this.#store.getEvent(tenant, eventId);
    if (!row) throw notFound(`${stream === 'auth' ? 'Authentication event' : 'Event'} ${eventId}`);
    const size = await this.#sizeFor(tenant, treeSize ?? undefined);
    if (row.seq > size)
      throw invalidQuery('/treeSize', `event ${eventId} is entry ${row.seq}, after the tree of size ${size}`);
    const proof = await this.#run(tenant, inclusionPlan(row.seq - 1, size));
    return {
      format: 'auditlog-proof/v1',
      entry: {
        tenant,
        seq: row.seq,
        stream,
        receivedAt: formatTimestamp(row.receivedMs),
        prevHash: row.prevHash,
        body: row.body,
        hash: row.hash,
      },
      leafIndex: row.seq - 1,
      treeSize: size,
      inclusionProof: proof.map((h) => h.toString('hex')),
      checkpoint: (await this.#head(tenant, size)).note,
    };
  }

  /** The RFC 9162 consistency proof (hex) from the tree of size `first` to the tree of size `second`. */
  async consistency(tenant: string, first: number, second: number): Promise<string[]> {
    // The log's size first: with `to` left out it is the size, and "at most `to`" named a value not sent.
    const covered = await this.catchUp(tenant);
    if (first > covered) throw invalidQuery('/from', `the log has ${covered} entries, not ${first}`);
    if (first > second) throw invalidQuery('/from', `must be at most \`to\` (${second})`);
    if (second > covered) throw invalidQuery('/to', `the log has ${covered} entries, not ${second}`);
    const proof = await this.#run(tenant, consistencyPlan(first, second));
    return proof.map((h) => h.toString('hex'));
  }

  /** Catches up, then checks `treeSize` (the query parameter `param`) against the covered size (default: it). */
  async #sizeFor(tenant: string, treeSize: number | undefined, param = '/treeSize'): Promise<number> {
    const covered = await this.catchUp(tenant);
    if (treeSize === undefined) return covered;
    if (treeSize > covered) throw invalidQuery(param, `the log has ${covered} entries, not ${treeSize}`);
    return treeSize;
  }

  async #catchUp(tenant: string): Promise<number> {
    const coverage = await this.#store.merkle.coverage(tenant);
    let size = coverage.size;
    // Covered up to the writer's head: nothing to scan (the common case, before every proof).
    if (size === coverage.chainSeq) return size;
    for (;;) {
      const rows = await this.#store.chainLinks(tenant, size, STEP);
      if (rows.length === 0) return size;
      let prevHash = size === 0 ? undefined : await this.#store.entryHashAt(tenant, size);
      const leaves: Buffer[] = [];
      for (const row of rows) {
        // Only an unbroken chain becomes leaves; `verify` names whatever stops it.
        if (row.seq !== size + leaves.length + 1 || (prevHash !== undefined && row.prevHash !== prevHash))
          break;
        leaves.push(entryLeafHash(row.hash));
        prevHash = row.hash;
      }
      if (leaves.length === 0)
        throw new AuditError('chain_broken', `Tenant ${tenant}: the chain breaks after seq ${size}`);
      const { nodes, frontier } = appendLeaves(
        await this.#frontier(tenant, size, rows[0]!.prevHash),
        size,
        leaves,
      );
      await this.#store.merkle.extend(
        tenant,
        size + leaves.length,
        nodes.filter((n) => n.level > 0),
      );
      size += leaves.length;
      this.#edges.set(tenant, { size, lastHash: prevHash!, frontier });
      if (leaves.length < rows.length) return size;
    }
  }

  /**
   * The right edge of the stored tree of `size`: the one this log stored last when it still ends at the same
   * entry hash (an entry's hash commits to every earlier one, so the edge is the same), else read from the
   * store. Saves a read of O(log n) nodes per extension step on the ingest path.
   */
  async #frontier(tenant: string, size: number, hashAtSize: string): Promise<StoredNode[]> {
    const edge = this.#edges.get(tenant);
    if (edge && edge.size === size && edge.lastHash === hashAtSize) return edge.frontier;
    const found = await this.#read(tenant, frontierNodes(size));
    return frontierNodes(size).map((id) => ({ ...id, hash: found.get(nodeKey(id))! }));
  }

  async #run(tenant: string, plan: ProofPlan): Promise<Buffer[]> {
    const found = await this.#read(tenant, plan.nodes);
    return plan.assemble((id) => found.get(nodeKey(id))!);
  }

  /** Nodes by id: leaves from their entries' hashes, the rest from the store; throws when one is missing. */
  async #read(tenant: string, ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const stored: StoredNode[] = await this.#store.merkle.nodes(
      tenant,
      ids.filter((id) => id.level > 0),
    );
    for (const n of stored) found.set(nodeKey(n), Buffer.from(n.hash));
    const leaves = await this.#store.merkle.entryHashes(
      tenant,
      ids.filter((id) => id.level === 0).map((id) => id.index + 1),
    );
    for (const [seq, hash] of leaves) found.set(nodeKey({ level: 0, index: seq - 1 }), entryLeafHash(hash));
    for (const id of ids)
      if (!found.has(nodeKey(id)))
        throw new AuditError('chain_broken', `Tenant ${tenant}: Merkle node ${nodeKey(id)} is missing`);
    return found;
  }

  /**
   * Keeps a witness's cosignature of one of this log's checkpoints: `note` is the checkpoint with the
   * witness's cosignature line(s), `witnessKey` the witness's cosignature/v1 verifier key. Refused (400,
   * naming the field) unless the note is this tenant's tree at a size it has, with the same root, and
   * carries a valid cosignature by that key.
   */
  async addCosignature(tenant: string, input: unknown, nowMs: number): Promise<StoredCosignature> {
    const body = (input ?? {}) as { note?: unknown; witnessKey?: unknown };
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw bad('', 'must be an object with note and witnessKey');
    const key = typeof body.witnessKey === 'string' ? parseVerifierKey(body.witnessKey) : undefined;
    if (!key || key.type !== COSIGNATURE_TYPE)
      throw bad(
        '/witnessKey',
        'must be a cosignature/v1 verifier key: <name>+<hex key id>+<base64(0x04 || key)>',
      );
    const note = typeof body.note === 'string' ? parseNote(body.note) : undefined;
    const head = note && parseCheckpointBody(note.body);
    if (!note || !head) throw bad('/note', 'must be a signed checkpoint note');
    if (head.origin !== this.origin(tenant))
      throw bad('/note', `is a checkpoint of ${head.origin}, not of this log`);
    const ours = await this.checkpoint(tenant, head.size).catch(() => undefined);
    if (!ours || ours.rootHash !== head.rootHash.toString('hex'))
      throw bad('/note', `is not this log's tree of size ${head.size}`);
    const line = note.signatures.find(
      (s) => cosignatureTime(note.body, s, key.name, key.publicKey) !== undefined,
    );
    if (!line) throw bad('/note', `carries no valid cosignature by ${key.name}`);
    const cosignature: StoredCosignature = {
      tenant,
      treeSize: head.size,
      rootHash: ours.rootHash,
      witness: key.name,
      keyId: cosignatureKeyId(key.name, key.publicKey),
      line: `\u2014 ${line.keyName} ${Buffer.concat([line.keyId, line.signature]).toString('base64')}`,
      time: cosignatureTime(note.body, line, key.name, key.publicKey)!,
      receivedMs: nowMs,
    };
    await this.#store.merkle.putCosignature(cosignature);
    return cosignature;
  }

  cosignatures(tenant: string, limit = 100): Promise<StoredCosignature[]> {
    return this.#store.merkle.cosignatures(tenant, limit);
  }
}

function bad(path: string, message: string): AuditError {
  return new AuditError('invalid_request', `${path.slice(1) || 'The body'} ${message}`, [{ path, message }]);
}

/** A tree size from a query string: a non-negative integer, else a 400 naming the parameter. */
export function parseTreeSize(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw invalidQuery(`/${name}`, 'must be a non-negative integer');
  return Number(value);
}
