import { AuditError } from '../../core/domain/errors.js';
import { entryDigest } from '../../core/domain/hash-chain.js';
import { formatTimestamp } from '../../core/domain/time.js';
import type { PurgeStep } from '../../core/ports/lifecycle-repository.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

/**
 * One purge step, inside the writer's transaction: each entry's tombstone first (its digest computed from
 * the stored content, so the chain keeps linking), then the row — the delete guard lets it go only now —
 * and the signed record. Every seq must be a live entry of the stream, or nothing of the step is kept.
 */
export function purgeStep(db: SqliteDb, step: PurgeStep): void {
  const table = step.stream === 'event' ? 'events' : 'auth_events';
  const read = prepared(
    db,
    `SELECT id, received_ms AS receivedMs, body, prev_hash AS prevHash, hash FROM ${table} WHERE tenant = ? AND seq = ?`,
  );
  const tomb = prepared(
    db,
    `INSERT INTO purged_entries (tenant, seq, stream, id, received_ms, digest, prev_hash, hash, purge_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const remove = prepared(db, `DELETE FROM ${table} WHERE tenant = ? AND seq = ?`);
  for (const seq of step.seqs) {
    const row = read.get(step.tenant, seq) as
      | { id: string; receivedMs: number; body: string; prevHash: string; hash: string }
      | undefined;
    if (!row)
      throw new AuditError('idempotency_conflict', `Seq ${seq} is not a live ${step.stream} entry any more`);
    const digest = entryDigest(step.stream, formatTimestamp(row.receivedMs), row.body);
    tomb.run(
      step.tenant,
      seq,
      step.stream,
      row.id,
      row.receivedMs,
      digest,
      row.prevHash,
      row.hash,
      step.record.purgeId,
    );
    remove.run(step.tenant, seq);
  }
  prepared(db, 'INSERT INTO purges (tenant, purge_id, first_seq, record) VALUES (?, ?, ?, ?)').run(
    step.tenant,
    step.record.purgeId,
    step.record.firstSeq,
    JSON.stringify(step.record),
  );
}
