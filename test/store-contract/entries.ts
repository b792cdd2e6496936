// Valid entries for direct `store.append` calls, prepared by the core exactly as the library prepares them
// (validation, canonical body, filter columns, search strings), plus independent checks of what a store answers.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { categoryKeys, DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import type {
  AppendedEntry,
  PreparedAuthEvent,
  PreparedEntry,
  PreparedEvent,
  Stream,
} from '../../src/core/domain/entry.js';
import { AuditError } from '../../src/core/domain/errors.js';
import { entryHash, GENESIS_HASH } from '../../src/core/domain/hash-chain.js';
import { prepareAuthEvents } from '../../src/core/domain/prepare-auth-event.js';
import { prepareEvents } from '../../src/core/domain/prepare-event.js';
import { Redactor } from '../../src/core/domain/redact.js';
import type { ChainRow, EntryRow } from '../../src/core/domain/rows.js';
import type { Store } from '../../src/core/ports/store.js';

const redactor = new Redactor(randomBytes(32));
const categories = new Set([...categoryKeys(DEFAULT_CATALOG), 'security']);

/** 2024-03-01T00:00:00Z: occurredAt values of the tests lie after it. */
export const BASE_MS = Date.UTC(2024, 2, 1);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** An administrative event as a client sends it; `ev` fills in what is required. */
export type EventInput = Record<string, unknown> & {
  id?: string;
  occurredAt?: string;
  actor?: { id: string; username?: string; displayName?: string; type?: string };
  action?: string;
  category?: string;
  target?: { type: string; id: string; name?: string };
};

export function ev(input: EventInput = {}): EventInput {
  return {
    actor: { id: 'u-default', username: 'default.user' },
    action: 'update',
    category: 'settings',
    target: { type: 'Setting', id: 'setting-1' },
    ...input,
  };
}

/** Prepares administrative events of one batch as received at `now` (every event must be valid). */
export function prepareEventBatch(tenant: string, inputs: EventInput[], now = Date.now()): PreparedEvent[] {
  return prepareEvents(
    inputs,
    inputs.map((_, i) => `/events/${i}`),
    { tenant, now, categories, redactor },
  );
}

export function prepareEvent(tenant: string, input: EventInput, now = Date.now()): PreparedEvent {
  return prepareEventBatch(tenant, [input], now)[0]!;
}

export type AuthInput = Record<string, unknown> & {
  id?: string;
  type: string;
  occurredAt?: string;
  user: { id?: string; username: string; displayName?: string };
  ip: string;
  sessionId?: string;
  method?: string;
  reason?: string;
  userAgent?: string;
};

export function prepareAuthBatch(inputs: AuthInput[], now = Date.now()): PreparedAuthEvent[] {
  return prepareAuthEvents(
    inputs,
    inputs.map((_, i) => `/events/${i}`),
    now,
    (text) => redactor.redactText('default', text),
  );
}

export function prepareAuth(input: AuthInput, now = Date.now()): PreparedAuthEvent {
  return prepareAuthBatch([input], now)[0]!;
}

/** An entry as the test knows it was stored. */
export interface Stored {
  tenant: string;
  seq: number;
  entry: PreparedEntry;
}

/** Appends one batch and checks the answer's shape: one result per entry, in order, with the entry's id. */
export async function append(store: Store, tenant: string, entries: PreparedEntry[]): Promise<Stored[]> {
  const answer = await store.append({ tenant, entries });
  expectAnswerShape(answer, entries);
  return answer.map((a, i) => ({ tenant, seq: a.seq, entry: entries[i]! }));
}

export function expectAnswerShape(answer: AppendedEntry[], entries: PreparedEntry[]): void {
  expect(answer).toHaveLength(entries.length);
  answer.forEach((a, i) => {
    expect(a.id).toBe(entries[i]!.id);
    expect(Number.isSafeInteger(a.seq) && a.seq >= 1, `seq ${a.seq}`).toBe(true);
    expect(typeof a.duplicate).toBe('boolean');
    expect(Number.isNaN(Date.parse(a.receivedAt))).toBe(false);
  });
}

/** Awaits a promise that must reject with an AuditError of `code`; returns the error. */
export async function expectAuditError(promise: Promise<unknown>, code: string): Promise<AuditError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a rejection with ${code}`).toBeDefined();
  expect(error, String(error)).toBeInstanceOf(AuditError);
  expect((error as AuditError).code).toBe(code);
  return error as AuditError;
}

/** The hash an entry must have at `seq` after `prevHash` (hash-chain.ts, written out independently of stores). */
export function expectedHash(
  tenant: string,
  seq: number,
  stream: Stream,
  receivedMs: number,
  prevHash: string,
  body: string,
): string {
  return entryHash(tenant, seq, stream, iso(receivedMs), prevHash, body);
}

/**
 * Checks that `rows` (every entry of a tenant, both streams, in seq order) form the tenant's chain: seq 1, 2, 3 …,
 * each prevHash the previous hash (64 zeros first), each hash recomputed from the row's own content.
 */
export function expectWholeChain(tenant: string, rows: ChainRow[]): void {
  let prev = GENESIS_HASH;
  rows.forEach((r, i) => {
    expect(r.seq, `row ${i}`).toBe(i + 1);
    expect(r.prevHash, `prevHash at seq ${r.seq}`).toBe(prev);
    expect(r.hash, `hash at seq ${r.seq}`).toBe(
      expectedHash(tenant, r.seq, r.stream, r.receivedMs, r.prevHash, r.body),
    );
    prev = r.hash;
  });
}

/** An EntryRow must carry exactly what was prepared, at the seq the append answered. */
export function expectRowOf(row: EntryRow | undefined, stored: Stored): void {
  expect(row, `row of ${stored.entry.id}`).toBeDefined();
  expect(row!.tenant).toBe(stored.tenant);
  expect(row!.seq).toBe(stored.seq);
  expect(row!.body).toBe(stored.entry.body);
  expect(row!.occurredMs).toBe(stored.entry.occurredMs);
  expect(row!.receivedMs).toBe(stored.entry.receivedMs);
  expect(row!.hash).toBe(
    expectedHash(stored.tenant, row!.seq, stored.entry.stream, row!.receivedMs, row!.prevHash, row!.body),
  );
}

/** Every entry of a tenant, both streams, by paging scanChain. */
export async function wholeChain(store: Store, tenant: string, pageSize = 1000): Promise<ChainRow[]> {
  const out: ChainRow[] = [];
  for (;;) {
    const page = await store.scanChain(tenant, out.at(-1)?.seq ?? 0, pageSize);
    out.push(...page);
    if (page.length < pageSize) return out;
  }
}

export const idOf = (body: string): string => (JSON.parse(body) as { id: string }).id;

export { rng } from '../helpers/rng.js';
