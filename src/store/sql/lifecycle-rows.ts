import type { Stream } from '../../core/domain/entry.js';
import type { SignedPurge } from '../../core/domain/purge-record.js';
import {
  holdUsername,
  type LegalHold,
  type PurgeCandidate,
  type RetentionPolicy,
} from '../../core/domain/retention.js';

// Rows of the lifecycle tables as both engines read them (bigints may come as strings from pg).

export const POLICY_COLUMNS = 'tenant, stream, category, max_age_days, updated_ms';
export const HOLD_COLUMNS =
  'id, tenant, reason, actor_id, target_type, target_id, category, from_ms, to_ms, created_ms, created_by, released_ms, released_by';
/**
 * Candidate columns per stream, in the order of candidateOf. The username is the folded column the `user`
 * filter reads: the folded username in clear, its blind index on an encrypted entry
 * (docs/lifecycle.md#legal-holds-on-encrypted-entries), so a hold matches a username as that filter does.
 */
export const CANDIDATE_COLUMNS: Record<Stream, string> = {
  event: 'seq, occurred_ms, actor_id, actor_username_f, target_type, target_id, category',
  auth: 'seq, occurred_ms, user_id, username_f, NULL, NULL, NULL',
};

type Num = number | string | bigint;
const num = (v: Num | null): number | null => (v === null ? null : Number(v));

export function policyOf(r: Record<string, unknown>): RetentionPolicy {
  return {
    tenant: r.tenant as string,
    stream: r.stream as Stream,
    category: r.category === '' ? null : (r.category as string),
    maxAgeDays: Number(r.max_age_days),
    updatedMs: Number(r.updated_ms),
  };
}

export function holdOf(r: Record<string, unknown>): LegalHold {
  return {
    id: r.id as string,
    tenant: r.tenant as string,
    reason: r.reason as string,
    actorId: (r.actor_id as string | null) ?? null,
    targetType: (r.target_type as string | null) ?? null,
    targetId: (r.target_id as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    fromMs: num(r.from_ms as Num | null),
    toMs: num(r.to_ms as Num | null),
    createdMs: Number(r.created_ms),
    createdBy: r.created_by as string,
    releasedMs: num(r.released_ms as Num | null),
    releasedBy: (r.released_by as string | null) ?? null,
  };
}

export function holdValues(h: LegalHold): unknown[] {
  return [
    h.id,
    h.tenant,
    h.reason,
    h.actorId,
    h.targetType,
    h.targetId,
    h.category,
    h.fromMs,
    h.toMs,
    h.createdMs,
    h.createdBy,
    h.releasedMs,
    h.releasedBy,
  ];
}

export function candidateOf(r: unknown[]): PurgeCandidate {
  return {
    seq: Number(r[0]),
    occurredMs: Number(r[1]),
    actorId: (r[2] as string | null) ?? null,
    username: (r[3] as string | null) ?? null,
    targetType: (r[4] as string | null) ?? null,
    targetId: (r[5] as string | null) ?? null,
    category: (r[6] as string | null) ?? null,
  };
}

export function purgeOf(recordJson: string): SignedPurge {
  return JSON.parse(recordJson) as SignedPurge;
}

/** The actor id and folded username a hold matches, per stream: those of CANDIDATE_COLUMNS (holdCovers). */
const HOLD_ACTOR: Record<Stream, [string, string]> = {
  event: ['actor_id', 'actor_username_f'],
  auth: ['user_id', 'username_f'],
};

/**
 * SQL for "an active hold covers this row" (holdCovers), over a table of `stream`, its values appended to
 * `values`: false when no hold applies.
 */
export function holdsCoverSql(holds: readonly LegalHold[], stream: Stream, values: unknown[]): string {
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const arms: string[] = [];
  for (const h of holds) {
    if (h.releasedMs !== null) continue;
    const byEvent = h.targetType !== null || h.targetId !== null || h.category !== null;
    if (byEvent && stream !== 'event') continue;
    const c = [`tenant = ${p(h.tenant)}`];
    if (h.fromMs !== null) c.push(`occurred_ms >= ${p(h.fromMs)}`);
    if (h.toMs !== null) c.push(`occurred_ms < ${p(h.toMs)}`);
    if (h.actorId !== null) {
      const [id, username] = HOLD_ACTOR[stream];
      c.push(`(${id} = ${p(h.actorId)} OR ${username} = ${p(holdUsername(h.actorId))})`);
    }
    if (h.targetType !== null) c.push(`target_type = ${p(h.targetType)}`);
    if (h.targetId !== null) c.push(`target_id = ${p(h.targetId)}`);
    if (h.category !== null) c.push(`category = ${p(h.category)}`);
    arms.push(`(${c.join(' AND ')})`);
  }
  return arms.length ? arms.join(' OR ') : 'false';
}
