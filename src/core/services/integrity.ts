import { notFound } from '../domain/errors.js';
import type { SignedCheckpoint } from '../domain/signing.js';
import type { Store } from '../ports/store.js';
import type { Checkpointer } from './checkpointer.js';

/** The tenant-facing side of tamper evidence: checkpoints and public keys. */
export class Integrity {
  readonly #store: Store;
  readonly #checkpoints: Checkpointer;

  constructor(store: Store, checkpoints: Checkpointer) {
    this.#store = store;
    this.#checkpoints = checkpoints;
  }

  /** A checkpoint covering the newest entry, with the public key that verifies it; 404 with no entries. */
  async latestCheckpoint(tenant: string): Promise<SignedCheckpoint & { publicKey: string }> {
    const checkpoint = await this.#checkpoints.latest(tenant);
    if (!checkpoint) throw notFound(`Checkpoints of tenant ${tenant}`);
    return { ...checkpoint, publicKey: await this.publicKeyPem(checkpoint.keyId) };
  }

  async keys(): Promise<{
    keys: { keyId: string; publicKey: string; createdAt: string; current: boolean }[];
  }> {
    const keys = await this.#store.publicKeys();
    return {
      keys: keys.map((k) => ({
        keyId: k.keyId,
        publicKey: k.publicKeyPem,
        createdAt: new Date(k.createdMs).toISOString(),
        current: k.keyId === this.#checkpoints.keyId,
      })),
    };
  }

  async publicKeyPem(keyId: string): Promise<string> {
    if (keyId === this.#checkpoints.keyId) return this.#checkpoints.publicKeyPem;
    const found = (await this.#store.publicKeys()).find((k) => k.keyId === keyId);
    return found?.publicKeyPem ?? '';
  }
}
