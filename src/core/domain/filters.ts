import type { IpRange } from './ip.js';

// What a read asks a store for: the filters and keyset pages the core's query parsing produces.

export interface EventFilter {
  /** occurredAt >= fromMs */
  fromMs?: number;
  /** occurredAt < toMs */
  toMs?: number;
  /** Each value matches the actor id exactly or the username case-insensitively (pre-folded in `usersFolded`). */
  users?: string[];
  usersFolded?: string[];
  actions?: string[];
  categories?: string[];
  eventTypes?: string[];
  targetType?: string;
  targetId?: string;
  /** Folded; matches the target id or name. */
  target?: string;
  ip?: IpRange;
  sessionId?: string;
  /** Folded keyword terms; each must be a substring of one of the entry's search strings. */
  terms?: string[];
  /** Only entries with seq <= maxSeq (an export's snapshot). */
  maxSeq?: number;
}

export interface AuthEventFilter {
  fromMs?: number;
  toMs?: number;
  /** Each value matches the user id exactly or the username case-insensitively (pre-folded in `usersFolded`). */
  users?: string[];
  usersFolded?: string[];
  types?: string[];
  methods?: string[];
  ip?: IpRange;
  terms?: string[];
}

export interface SessionFilter {
  fromMs?: number;
  toMs?: number;
  users?: string[];
  usersFolded?: string[];
  ip?: IpRange;
  active?: boolean;
}

export interface SessionPageSpec {
  order: 'asc' | 'desc';
  limit: number;
  after?: { sortMs: number; sessionId: string };
}

export interface PageSpec {
  order: 'asc' | 'desc';
  limit: number;
  /** `time` (default): by (occurredAt, seq); `seq`: by seq alone, the order of the hash chain. */
  orderBy?: 'time' | 'seq';
  /** Strictly after this position in `order` (with orderBy seq, only `seq` counts). */
  after?: Keyset;
}

export interface Keyset {
  occurredMs: number;
  seq: number;
}

export type StatsKey = 'action' | 'category' | 'user' | 'eventType' | 'day';
