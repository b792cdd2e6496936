import type { EventColumns } from '../../core/domain/entry.js';
import { BLIND_PREFIX } from '../../core/domain/subject-crypto.js';

/** Past this many, the memory starts over: a forgotten actor costs one redundant upsert. */
const LIMIT = 50_000;

type ActorColumns = Pick<EventColumns, 'actorId' | 'actorUsername' | 'actorDisplayName'>;

/**
 * The actor rows (tenant, id, username, display name) a writer has committed, so that it upserts each once.
 * An encrypted actor (its id a blind index) is never remembered: an erasure deletes its rows — through this
 * node or another one sharing the database — and its next event must write them again, or `user=` would not
 * find it (docs/lifecycle.md#erasure-of-a-data-subject). Encrypted ingest pays one upsert per actor per group.
 */
export class KnownActors {
  readonly #keys = new Set<string>();

  /** The key of an event's actor row; the id comes first, so that an encrypted actor's key shows it. */
  static key(tenant: string, c: ActorColumns): string {
    return `${c.actorId}\u0000${tenant}\u0000${c.actorUsername ?? ''}\u0000${c.actorDisplayName ?? ''}`;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** After the commit that wrote them: the keys of rows no erasure can delete. */
  add(committed: Iterable<string>): void {
    const keep = [...committed].filter((key) => !key.startsWith(BLIND_PREFIX));
    if (this.#keys.size + keep.length > LIMIT) this.#keys.clear();
    for (const key of keep) this.#keys.add(key);
  }
}
