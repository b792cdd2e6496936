export interface CheckpointPolicy {
  /** Sign after at most this many entries since a tenant's last checkpoint. Default 1000. */
  everyEntries: number;
  /** Sign at least this often while there are unsigned entries. Default 60 s. */
  everyMs: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { everyEntries: 1000, everyMs: 60_000 };

/**
 * The rule that makes a deleted checkpoint visible. The checkpointer signs every multiple of `every`
 * (1000 by default) as soon as the chain reaches it, in order, before any other checkpoint of the tenant
 * (the timer's, an on-demand one, the one at shutdown — those sit anywhere and are never required). So:
 *
 *   for every multiple m of `every` up to the chain's last seq, a checkpoint at exactly m MUST exist.
 *
 * A gap below the newest checkpoint can only be a deletion. A gap above it — the unsigned tail — is a
 * deletion too, or a server that stopped before signing (a crash: it signs them when it next runs); the
 * verifier cannot tell these apart, and reports both. A verifier running beside a live server looks the
 * checkpoints up again after its scan, waiting a moment for the tail's (verify-store.ts), so one signed
 * meanwhile is not reported.
 */
export const DEFAULT_CHECKPOINT_EVERY = DEFAULT_CHECKPOINT_POLICY.everyEntries;

/** Whether the schedule requires a checkpoint at `seq`; `every` 0 turns the rule off. */
export function checkpointDue(seq: number, every: number): boolean {
  return every > 0 && seq > 0 && seq % every === 0;
}

/** The explanation of missing scheduled checkpoints (seqs ascending), naming each gap. */
export function describeGaps(
  gaps: readonly number[],
  every: number,
  newestCheckpoint: number,
  lastSeq: number,
): string {
  const deleted = gaps.filter((g) => g < newestCheckpoint);
  const tail = gaps.filter((g) => g > newestCheckpoint);
  const parts = [
    `no checkpoint at seq ${seqList(gaps, every)}, where one is signed every ${every.toLocaleString('en-US')} entries`,
  ];
  if (deleted.length > 0) {
    parts.push(`${seqList(deleted, every)} deleted, since the later checkpoint ${newestCheckpoint} exists`);
  }
  if (tail.length > 0) {
    parts.push(
      `the ${(lastSeq - newestCheckpoint).toLocaleString('en-US')} entries after seq ${newestCheckpoint} ` +
        'are proven by no signature (checkpoints deleted, or a server that crashed before signing them: ' +
        'a restarted server signs them within a minute)',
    );
  }
  return parts.join('; ');
}

/** "3000–6000 (4), 9000": runs of consecutive multiples collapsed, at most 10 runs named. */
function seqList(seqs: readonly number[], every: number): string {
  const runs: [number, number][] = [];
  for (const s of seqs) {
    const last = runs.at(-1);
    if (last && s === last[1] + every) last[1] = s;
    else runs.push([s, s]);
  }
  const named = runs.slice(0, 10).map(([a, b]) => (a === b ? `${a}` : `${a}–${b} (${(b - a) / every + 1})`));
  if (runs.length > 10) named.push(`and ${runs.length - 10} more runs`);
  return named.join(', ');
}
