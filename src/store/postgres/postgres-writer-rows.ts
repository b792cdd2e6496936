import { mergeSession, type SessionRow } from '../../core/domain/session-merge.js';
import type { SignedCheckpoint } from '../../core/domain/signing.js';
import { SEARCH_SEPARATOR } from '../../core/domain/text-fold.js';
import type { SealedAuth, SealedEvent } from '../sql/append-plan.js';
import { SESSION_COLUMNS } from '../sql/auth-query-plan.js';
import { KnownActors } from '../sql/known-actors.js';
import { type PgClient, pgText } from './postgres-connection.js';

/**
 * Row writes of one group commit. Each table gets one INSERT … SELECT over a single jsonb parameter that
 * holds every row as an array: JSON.stringify is native and PostgreSQL parses jsonb fast, where the driver's
 * per-value array serialisation cost ~3× more than the insert itself (measured: 2,000 events, 190 ms vs 60 ms).
 */
export async function insertRows(
  client: PgClient,
  table: string,
  columns: [name: string, type: string][],
  values: unknown[][],
  suffix = '',
): Promise<void> {
  if (values.length === 0) return;
  const text = `${jsonArrayInsert(table, columns)} ${suffix}`;
  // A named statement is planned once per connection: planning an insert into a partitioned table with
  // its indexes cost as much as inserting a small group.
  await client.query({ name: statementName(text), text, values: [jsonbPayload(values)] });
}

/** `INSERT … SELECT` of the rows of one jsonb array parameter ($1), each row an array in `columns` order. */
export function jsonArrayInsert(table: string, columns: [name: string, type: string][]): string {
  const names = columns.map(([n]) => n).join(', ');
  const fields = columns
    .map(([, type], i) => (type === 'text' ? `r->>${i}` : `(r->>${i})::${type}`))
    .join(', ');
  return `INSERT INTO ${table} (${names}) SELECT ${fields} FROM jsonb_array_elements($1::jsonb) r`;
}

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `auditlog_w${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * JSON for a jsonb parameter. jsonb refuses an escaped lone surrogate, which JSON.stringify writes for one;
 * it becomes U+FFFD, the same character the UTF-8 encoder stores for it everywhere else (a hash over the
 * text is computed after the same replacement, so the chain still verifies).
 */
export function jsonbPayload(values: unknown): string {
  const json = JSON.stringify(values);
  if (!json.includes('\\ud')) return json;
  return json.replace(/(\\+)(ud[89a-f][0-9a-f]{2})/g, (m, slashes: string) =>
    slashes.length % 2 === 1 ? `${slashes.slice(1)}\\ufffd` : m,
  );
}

/** The events columns and their PostgreSQL types, in eventRow order (the benchmark loader uses them too). */
export const EVENT_COLUMNS: [string, string][] = [
  ['tenant', 'text'],
  ['seq', 'int8'],
  ['id', 'text'],
  ['occurred_ms', 'int8'],
  ['received_ms', 'int8'],
  ['actor_id', 'text'],
  ['actor_username', 'text'],
  ['actor_username_f', 'text'],
  ['actor_display_name', 'text'],
  ['action', 'text'],
  ['category', 'text'],
  ['event_type', 'text'],
  ['target_type', 'text'],
  ['target_id', 'text'],
  ['target_id_f', 'text'],
  ['target_name_f', 'text'],
  ['ip_key', 'text'],
  ['session_id', 'text'],
  ['body', 'text'],
  ['search', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
];

/** The events row of a sealed entry, in EVENT_COLUMNS order (also the benchmark's raw ceiling). */
export function eventRow(s: Pick<SealedEvent, 'tenant' | 'entry' | 'seq' | 'prevHash' | 'hash'>): unknown[] {
  const { entry, tenant } = s;
  const c = entry.columns;
  return [
    tenant,
    s.seq,
    pgText(entry.id),
    entry.occurredMs,
    entry.receivedMs,
    pgText(c.actorId),
    pgText(c.actorUsername),
    pgText(c.actorUsernameFolded),
    pgText(c.actorDisplayName),
    c.action,
    c.category,
    pgText(c.eventType),
    pgText(c.targetType),
    pgText(c.targetId),
    pgText(c.targetIdFolded),
    pgText(c.targetNameFolded),
    c.ipKey,
    pgText(c.sessionId),
    entry.body,
    pgText(entry.search.join(SEARCH_SEPARATOR)),
    s.prevHash,
    s.hash,
  ];
}

export function insertEventRows(client: PgClient, values: unknown[][]): Promise<void> {
  return insertRows(client, 'events', EVENT_COLUMNS, values);
}

export function insertEvents(client: PgClient, events: SealedEvent[]): Promise<void> {
  return insertEventRows(client, events.map(eventRow));
}

/** The auth_events columns and their PostgreSQL types, in authRow order (the benchmark loader uses them too). */
export const AUTH_COLUMNS: [string, string][] = [
  ['tenant', 'text'],
  ['seq', 'int8'],
  ['id', 'text'],
  ['occurred_ms', 'int8'],
  ['received_ms', 'int8'],
  ['type', 'text'],
  ['user_id', 'text'],
  ['username', 'text'],
  ['username_f', 'text'],
  ['method', 'text'],
  ['reason', 'text'],
  ['session_id', 'text'],
  ['ip', 'text'],
  ['ip_key', 'text'],
  ['body', 'text'],
  ['search', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
];

/** The auth_events row of a sealed entry, in AUTH_COLUMNS order. */
export function authRow(s: Pick<SealedAuth, 'tenant' | 'entry' | 'seq' | 'prevHash' | 'hash'>): unknown[] {
  const { entry } = s;
  const c = entry.columns;
  return [
    s.tenant,
    s.seq,
    pgText(entry.id),
    entry.occurredMs,
    entry.receivedMs,
    c.type,
    pgText(c.userId),
    pgText(c.username),
    pgText(c.usernameFolded),
    c.method,
    c.reason,
    pgText(c.sessionId),
    c.ip,
    c.ipKey,
    entry.body,
    pgText(entry.search.join(SEARCH_SEPARATOR)),
    s.prevHash,
    s.hash,
  ];
}

export function insertAuthEvents(client: PgClient, auth: SealedAuth[]): Promise<void> {
  return insertRows(client, 'auth_events', AUTH_COLUMNS, auth.map(authRow));
}

const SESSION_WRITE: [string, string][] = [
  ['tenant', 'text'],
  ['session_id', 'text'],
  ['user_id', 'text'],
  ['username', 'text'],
  ['username_f', 'text'],
  ['display_name', 'text'],
  ['method', 'text'],
  ['ip', 'text'],
  ['ip_key', 'text'],
  ['user_agent', 'text'],
  ['login_ms', 'int8'],
  ['ended_ms', 'int8'],
  ['end_reason', 'text'],
  ['sort_ms', 'int8'],
];

/** Folds the group's authentication events into their sessions (read, merge in seq order, upsert). */
export async function upsertSessions(client: PgClient, auth: SealedAuth[]): Promise<void> {
  const named = auth.filter((a) => a.entry.columns.sessionId !== null);
  if (named.length === 0) return;
  const keyOf = (tenant: string, sessionId: string) => `${tenant}\u0000${sessionId}`;
  const current = new Map<string, SessionRow & { tenant: string }>();
  const found = await client.query<SessionRow & { tenant: string }>(
    `SELECT tenant, ${SESSION_COLUMNS} FROM sessions
       WHERE (tenant, session_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [named.map((a) => a.tenant), named.map((a) => pgText(a.entry.columns.sessionId))],
  );
  for (const row of found.rows) current.set(keyOf(row.tenant, row.sessionId), row);
  const changed = new Map<string, SessionRow & { tenant: string }>();
  for (const { tenant, entry } of named) {
    const c = entry.columns;
    const key = keyOf(tenant, pgText(c.sessionId!));
    const before = current.get(key);
    const next = mergeSession(before, { ...c, sessionId: pgText(c.sessionId), occurredMs: entry.occurredMs });
    if (next && next !== before) {
      const row = { ...next, tenant };
      current.set(key, row);
      changed.set(key, row);
    }
  }
  await insertRows(
    client,
    'sessions',
    SESSION_WRITE,
    [...changed.values()].map((s) => [
      s.tenant,
      s.sessionId,
      s.userId,
      pgText(s.username),
      pgText(s.usernameFolded),
      pgText(s.displayName),
      s.method,
      s.ip,
      s.ipKey,
      pgText(s.userAgent),
      s.loginMs,
      s.endedMs,
      s.endReason,
      s.sortMs,
    ]),
    `ON CONFLICT (tenant, session_id) DO UPDATE SET ${SESSION_WRITE.slice(2)
      .map(([n]) => `${n} = excluded.${n}`)
      .join(', ')}`,
  );
}

/** Upserts actors not written recently; returns the keys to remember once the group commits. */
export async function upsertActors(
  client: PgClient,
  events: SealedEvent[],
  known: KnownActors,
): Promise<string[]> {
  const fresh = new Map<string, unknown[]>();
  for (const { tenant, entry } of events) {
    const c = entry.columns;
    const key = KnownActors.key(tenant, c);
    if (known.has(key)) continue;
    fresh.delete(key); // the newest display name of an actor in the group wins, as in SQLite
    fresh.set(key, [
      tenant,
      pgText(c.actorId),
      pgText(c.actorUsername ?? ''),
      pgText(c.actorUsernameFolded ?? ''),
      pgText(c.actorDisplayName),
    ]);
  }
  // One row per primary key, or ON CONFLICT DO UPDATE would touch a row twice.
  const byPk = new Map<string, unknown[]>();
  for (const row of fresh.values()) byPk.set(`${row[0]}\u0000${row[1]}\u0000${row[2]}`, row);
  await insertRows(
    client,
    'actors',
    [
      ['tenant', 'text'],
      ['actor_id', 'text'],
      ['username', 'text'],
      ['username_f', 'text'],
      ['display_name', 'text'],
    ],
    [...byPk.values()],
    `ON CONFLICT (tenant, actor_id, username) DO UPDATE SET display_name = excluded.display_name
       WHERE actors.display_name IS DISTINCT FROM excluded.display_name`,
  );
  return [...fresh.keys()];
}

export interface HeadState {
  seq: number;
  hash: string;
  indexedSeq: number;
  unindexed: number;
}

export function insertCheckpoints(client: PgClient, checkpoints: SignedCheckpoint[]): Promise<void> {
  return insertRows(
    client,
    'checkpoints',
    [
      ['tenant', 'text'],
      ['seq', 'int8'],
      ['hash', 'text'],
      ['signed_at', 'text'],
      ['key_id', 'text'],
      ['signature', 'text'],
    ],
    checkpoints.map((c) => [c.tenant, c.seq, c.hash, c.signedAt, c.keyId, c.signature]),
    'ON CONFLICT DO NOTHING',
  );
}

/** Moves the heads and commits, in one round trip. */
export async function updateHeadsAndCommit(client: PgClient, heads: Map<string, HeadState>): Promise<void> {
  const updates = [...heads].map(
    ([tenant, h]) =>
      `UPDATE chain_heads SET seq = ${h.seq}, hash = '${h.hash}', indexed_seq = ${h.indexedSeq}, unindexed = ${h.unindexed}
         WHERE tenant = ${client.escapeLiteral(tenant)};`,
  );
  await client.query(`${updates.join('\n')} COMMIT`);
}
