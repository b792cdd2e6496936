import { AuditError } from '../domain/errors.js';
import { formatEvent } from '../domain/format-event.js';
import type { SignedPurge } from '../domain/purge-record.js';
import type { Store } from '../ports/store.js';
import type { ActingParty } from './access-control.js';

/** How many purge records one purge's audit event lists in full (all of them are in `purgeIds`). */
const RECORDS_LISTED = 50;

export interface PurgeEventDeps {
  store: Store;
  /** Appends one of the log's own records (AuditLog.recordSelfAudit). */
  record: (tenant: string, event: Record<string, unknown>) => Promise<void>;
}

/** What the run knows beyond its records; a recovered run knows neither. */
export interface PurgeRunFacts {
  held: number;
  anchor: { seq: number; hash: string } | null;
  recovered: boolean;
}

/** The event that accounts for records starting with `purgeId`: its id is derived from it, so it is unique. */
export const purgeEventId = (purgeId: string) => `purge-${purgeId}`;

/**
 * Appends the `auditlog.purge` event(s) of one run's records (in the run's step order) so that each record
 * is listed by exactly one event, even when a run and a recovery on another node (or two recoveries) do it
 * at once. Each event's id is derived from its first record; after each append the stored event is read
 * back and what it lists counts as recorded. Another process's event under that id (a duplicate, or a 409
 * when its list differs) is thus taken as it is, and the rest of the records start the next event. Since
 * every event begins where the previous one ended, two processes never start an event in the middle of
 * another's: no record is listed twice. The records are then marked recorded.
 */
export async function recordPurgeRun(
  deps: PurgeEventDeps,
  tenant: string,
  by: ActingParty,
  records: readonly SignedPurge[],
  facts: PurgeRunFacts,
): Promise<void> {
  const recorded = new Set<string>();
  let rest = [...records];
  while (rest.length > 0) {
    const id = purgeEventId(rest[0]!.purgeId);
    try {
      await deps.record(tenant, purgeEvent(id, by, rest, facts));
    } catch (error) {
      if (!(error instanceof AuditError && error.code === 'idempotency_conflict')) throw error;
    }
    const listed = await listedBy(deps.store, tenant, id);
    if (!listed.includes(rest[0]!.purgeId))
      throw new Error(`purge event ${id} does not list the record it is named after`);
    for (const purgeId of listed) recorded.add(purgeId);
    rest = rest.filter((r) => !recorded.has(r.purgeId));
  }
  await deps.store.lifecycle.markPurgesRecorded(
    tenant,
    records.map((r) => r.purgeId),
  );
}

/**
 * Appends the events of every run that left records unrecorded (a process that died mid-run, or one still
 * running on another node: then the two share the run's records between their events); of one tenant only
 * when given (a tenant's own purge request never writes into another tenant's log).
 */
export async function recordUnrecordedPurges(
  deps: PurgeEventDeps,
  by: ActingParty,
  tenant?: string,
): Promise<number> {
  const runs = new Map<string, { tenant: string; records: SignedPurge[] }>();
  for (const { run, record } of await deps.store.lifecycle.unrecordedPurges()) {
    if (tenant !== undefined && record.tenant !== tenant) continue;
    const key = `${record.tenant}\u0000${run.runId}`;
    const group = runs.get(key) ?? { tenant: record.tenant, records: [] };
    group.records.push(record);
    runs.set(key, group);
  }
  for (const run of runs.values()) {
    const first = run.records[0]!;
    const anchor = first.anchorHash ? { seq: first.anchorSeq, hash: first.anchorHash } : null;
    await recordPurgeRun(deps, run.tenant, by, run.records, { held: 0, anchor, recovered: true });
  }
  return runs.size;
}

function purgeEvent(
  id: string,
  by: ActingParty,
  records: readonly SignedPurge[],
  facts: PurgeRunFacts,
): Record<string, unknown> {
  return {
    ...by,
    id,
    action: 'delete',
    category: 'security',
    eventType: 'auditlog.purge',
    target: { type: 'Purge', id },
    newValue: {
      entries: records.reduce((n, r) => n + r.count, 0),
      held: facts.held,
      streams: [...new Set(records.map((r) => r.stream))],
      anchor: facts.anchor,
      records: records.length,
      purges: records.slice(0, RECORDS_LISTED).map(({ purgeId, stream, count, firstSeq, lastSeq }) => ({
        purgeId,
        stream,
        count,
        firstSeq,
        lastSeq,
      })),
      purgeIds: records.map((r) => r.purgeId),
      ...(facts.recovered ? { recovered: true } : {}),
    },
  };
}

async function listedBy(store: Store, tenant: string, id: string): Promise<string[]> {
  const row = await store.getEvent(tenant, id);
  if (!row) throw new Error(`purge event ${id} was not stored`);
  const value = formatEvent(row).newValue as { purgeIds?: unknown } | undefined;
  return Array.isArray(value?.purgeIds) ? value.purgeIds.filter((p) => typeof p === 'string') : [];
}
