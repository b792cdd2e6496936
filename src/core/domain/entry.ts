/**
 * What the core hands to a store: an entry already validated, redacted, diffed and serialised. The store
 * assigns `seq`, links the hash chain (with the functions of hash-chain.ts) and persists the entry; it never
 * changes `body`.
 */

export type Stream = 'event' | 'auth';

/** Columns a store may index for filtering administrative events; all derived from the body. */
export interface EventColumns {
  actorId: string;
  actorUsername: string | null;
  /** Folded username, for the case-insensitive `user` filter. */
  actorUsernameFolded: string | null;
  actorDisplayName: string | null;
  action: string;
  category: string;
  eventType: string;
  targetType: string;
  targetId: string;
  /** Folded target id and name, for the case-insensitive `target` filter. */
  targetIdFolded: string;
  targetNameFolded: string | null;
  /** 32-hex-digit key of the IP (see ip.ts), for address and CIDR filters. */
  ipKey: string | null;
  sessionId: string | null;
}

/** Columns a store may index for filtering authentication events. */
export interface AuthColumns {
  type: string;
  userId: string | null;
  /** The username as typed. */
  username: string;
  usernameFolded: string;
  displayName: string | null;
  method: string | null;
  reason: string | null;
  sessionId: string | null;
  ip: string;
  ipKey: string;
  userAgent: string | null;
}

interface EntryBase {
  id: string;
  /** False when the server assigned the id: then it cannot collide, and no idempotency lookup is needed. */
  idProvided: boolean;
  /** False when occurredAt defaulted to the receive time: a retry then compares everything else. */
  occurredAtProvided: boolean;
  occurredMs: number;
  receivedMs: number;
  /** RFC 8785 canonical JSON of the entry's content: exactly the bytes the hash chain covers. */
  body: string;
  /** Folded, distinct searchable strings (search-text.ts). */
  search: string[];
  /**
   * `entryDigest` of the entry (hash-chain.ts), worked out where it is prepared: the writer thread, the
   * busier of the two on ingest, then only links it. Absent, the writer works it out.
   */
  digest?: string;
}

export interface PreparedEvent extends EntryBase {
  stream: 'event';
  columns: EventColumns;
}

export interface PreparedAuthEvent extends EntryBase {
  stream: 'auth';
  columns: AuthColumns;
}

export type PreparedEntry = PreparedEvent | PreparedAuthEvent;

/** One client request: appended entirely or not at all. */
export interface AppendBatch {
  tenant: string;
  entries: PreparedEntry[];
}

export interface AppendedEntry {
  id: string;
  seq: number;
  receivedAt: string;
  duplicate: boolean;
}
