import { createPublicKey } from 'node:crypto';
import { AuditError, notFound } from '../domain/errors.js';
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
import { checkpointBody, signNote, verifierKey } from '../domain/merkle/signed-note.js';
import type { SigningKey } from '../domain/signing.js';
import { formatTimestamp } from '../domain/time.js';
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

  constructor(store: Store, key: SigningKey) {
    this.#store = store;
    this.#key = key;
  }

  origin(tenant: string): string {
    return `auditlog/${tenant}`;
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
    const size = await this.#sizeFor(tenant, treeSize);
    const [root] = await this.#run(tenant, rootPlan(size));
    const origin = this.origin(tenant);
    const body = checkpointBody({ origin, size, rootHash: root! });
    return {
      origin,
      treeSize: size,
      rootHash: root!.toString('hex'),
      note: signNote(body, origin, this.#key.privateKey),
      verifierKey: verifierKey(origin, createPublicKey(this.#key.privateKey)),
    };
  }

  /** The proof bundle of one administrative event, in the tree at `treeSize` (default: now). */
  async prove(tenant: string, eventId: string, treeSize?: number): Promise<ProofBundle> {
    const row = await this.#store.getEvent(tenant, eventId);
    if (!row) throw notFound(`Event ${eventId}`);
    const size = await this.#sizeFor(tenant, treeSize ?? undefined);
    if (row.seq > size)
      throw new AuditError(
        'invalid_request',
        `/treeSize: event ${eventId} is entry ${row.seq}, after the tree of size ${size}`,
      );
    const proof = await this.#run(tenant, inclusionPlan(row.seq - 1, size));
    return {
      format: 'auditlog-proof/v1',
      entry: {
        tenant,
        seq: row.seq,
        stream: 'event',
        receivedAt: formatTimestamp(row.receivedMs),
        prevHash: row.prevHash,
        body: row.body,
        hash: row.hash,
      },
      leafIndex: row.seq - 1,
      treeSize: size,
      inclusionProof: proof.map((h) => h.toString('hex')),
      checkpoint: (await this.checkpoint(tenant, size)).note,
    };
  }

  /** The RFC 9162 consistency proof (hex) from the tree of size `first` to the tree of size `second`. */
  async consistency(tenant: string, first: number, second: number): Promise<string[]> {
    if (first > second) throw new AuditError('invalid_request', '/from: must be at most `to`');
    await this.#sizeFor(tenant, second);
    const proof = await this.#run(tenant, consistencyPlan(first, second));
    return proof.map((h) => h.toString('hex'));
  }

  /** Catches up, then checks `treeSize` against the covered size (default: the covered size). */
  async #sizeFor(tenant: string, treeSize: number | undefined): Promise<number> {
    const covered = await this.catchUp(tenant);
    if (treeSize === undefined) return covered;
    if (treeSize > covered)
      throw new AuditError('invalid_request', `/treeSize: the log has ${covered} entries, not ${treeSize}`);
    return treeSize;
  }

  async #catchUp(tenant: string): Promise<number> {
    let size = await this.#store.merkle.size(tenant);
    for (;;) {
      const rows = await this.#store.scanChain(tenant, size, STEP);
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
      const frontier = await this.#read(tenant, frontierNodes(size));
      const { nodes } = appendLeaves(
        frontierNodes(size).map((id) => ({ ...id, hash: frontier.get(nodeKey(id))! })),
        size,
        leaves,
      );
      await this.#store.merkle.extend(
        tenant,
        size + leaves.length,
        nodes.filter((n) => n.level > 0),
      );
      size += leaves.length;
      if (leaves.length < rows.length) return size;
    }
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
    for (const id of ids) {
      if (id.level === 0) {
        const hash = await this.#store.entryHashAt(tenant, id.index + 1);
        if (hash !== undefined) found.set(nodeKey(id), entryLeafHash(hash));
      }
      if (!found.has(nodeKey(id)))
        throw new AuditError('chain_broken', `Tenant ${tenant}: Merkle node ${nodeKey(id)} is missing`);
    }
    return found;
  }
}
