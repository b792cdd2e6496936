import type { DestinationRecord } from '../../core/domain/destination.js';
import type { DestinationPatch } from '../../core/ports/destination-repository.js';

/** A `destinations` row as both stores keep it (settings as JSON text). */
export interface DestinationRow {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  settings: string;
  secret_box: string | null;
  public_key: string | null;
  secret_fingerprint: string | null;
  state: string;
  paused_reason: string | null;
  created_ms: number | string;
  updated_ms: number | string;
  cursor_seq: number | string;
  delivered_ms: number | string | null;
  last_error: string | null;
  failures: number | string;
  next_attempt_ms: number | string;
  generation: number | string;
}

const num = (v: number | string) => Number(v);

export const destinationRecord = (r: DestinationRow): DestinationRecord => ({
  id: r.id,
  tenant: r.tenant,
  name: r.name,
  kind: r.kind as DestinationRecord['kind'],
  settings: JSON.parse(r.settings) as DestinationRecord['settings'],
  secretBox: r.secret_box,
  publicKey: r.public_key,
  secretFingerprint: r.secret_fingerprint,
  state: r.state as DestinationRecord['state'],
  pausedReason: r.paused_reason,
  createdMs: num(r.created_ms),
  updatedMs: num(r.updated_ms),
  progress: {
    cursorSeq: num(r.cursor_seq),
    deliveredMs: r.delivered_ms === null ? null : num(r.delivered_ms),
    lastError: r.last_error,
    failures: num(r.failures),
    nextAttemptMs: num(r.next_attempt_ms),
  },
  generation: num(r.generation),
});

export const DESTINATION_COLUMNS = [
  'id',
  'tenant',
  'name',
  'kind',
  'settings',
  'secret_box',
  'public_key',
  'secret_fingerprint',
  'state',
  'paused_reason',
  'created_ms',
  'updated_ms',
  'cursor_seq',
  'delivered_ms',
  'last_error',
  'failures',
  'next_attempt_ms',
  'generation',
] as const;

/** The values of a new row, in DESTINATION_COLUMNS order. */
export const destinationValues = (d: DestinationRecord): unknown[] => [
  d.id,
  d.tenant,
  d.name,
  d.kind,
  JSON.stringify(d.settings),
  d.secretBox,
  d.publicKey,
  d.secretFingerprint,
  d.state,
  d.pausedReason,
  d.createdMs,
  d.updatedMs,
  d.progress.cursorSeq,
  d.progress.deliveredMs,
  d.progress.lastError,
  d.progress.failures,
  d.progress.nextAttemptMs,
  d.generation,
];

/** The columns a progress record sets, and their values. */
export const progressAssignments = (p: DestinationRecord['progress']): [string, unknown][] => [
  ['cursor_seq', p.cursorSeq],
  ['delivered_ms', p.deliveredMs],
  ['last_error', p.lastError],
  ['failures', p.failures],
  ['next_attempt_ms', p.nextAttemptMs],
];

/** What recordProgress sets: the progress, and the pause when the delivery gives up. */
export function progressRecord(p: DestinationRecord['progress'], pausedReason?: string): [string, unknown][] {
  const set = progressAssignments(p);
  if (pausedReason !== undefined) set.push(['state', 'paused'], ['paused_reason', pausedReason]);
  return set;
}

/**
 * The delivery's automatic pause applies to an active destination only: one an administrator paused while a
 * failing batch was in flight keeps its state and reason (and the delivery records no pause event).
 */
export const PAUSE_ONLY_ACTIVE = (pausedReason: string | undefined): string =>
  pausedReason === undefined ? '' : " AND state = 'active'";

/** The column assignments of a patch (a replay also bumps `generation`, which the engine adds). */
export function patchAssignments(patch: DestinationPatch): [string, unknown][] {
  const set: [string, unknown][] = [['updated_ms', patch.updatedMs]];
  if (patch.name !== undefined) set.push(['name', patch.name]);
  if (patch.settings !== undefined) set.push(['settings', JSON.stringify(patch.settings)]);
  if (patch.state !== undefined) set.push(['state', patch.state]);
  if (patch.pausedReason !== undefined) set.push(['paused_reason', patch.pausedReason]);
  if (patch.secrets !== undefined)
    set.push(
      ['secret_box', patch.secrets.secretBox],
      ['public_key', patch.secrets.publicKey],
      ['secret_fingerprint', patch.secrets.secretFingerprint],
    );
  if (patch.progress !== undefined) set.push(...progressAssignments(patch.progress));
  return set;
}
