import { newId } from '../domain/ids.js';
import type { SignedPurge } from '../domain/purge-record.js';
import {
  cutoffFor,
  DAY_MS,
  type LegalHold,
  purgeSelectors,
  type RetentionPolicy,
} from '../domain/retention.js';
import type {
  PartitionOutcome,
  PartitionPurger,
  PartitionShare,
  PurgeRunStep,
} from '../ports/lifecycle-repository.js';
import type { Checkpointer } from './checkpointer.js';
import type { TenantPurge } from './lifecycle.js';

export interface PartitionDropDeps {
  purger: PartitionPurger;
  now: number;
  checkpoints: Checkpointer;
  /** Each hold by actor with its blind-index aliases, as the steps see them (Lifecycle). */
  withAliases: (tenant: string, holds: LegalHold[]) => LegalHold[];
  /** The next place in the run, for each record signed. */
  runOf: () => PurgeRunStep;
}

/**
 * The first pass of a purge where the store has partitions (docs/lifecycle.md#whole-partitions-postgresql):
 * drops each partition whose rows are all expired and unheld (the store checks, under its locks), with one
 * signed purge record per tenant in it, after that tenant's anchor. Others are left to the steps.
 */
export async function dropPartitions(
  deps: PartitionDropDeps,
  policies: readonly RetentionPolicy[],
  results: Map<string, TenantPurge>,
): Promise<PartitionOutcome[]> {
  if (policies.length === 0) return [];
  const shortest = Math.min(...policies.map((p) => p.maxAgeDays));
  const candidates = await deps.purger.candidates(deps.now - shortest * DAY_MS);
  const selectors = new Map(
    [...results.keys()].map((t) => [
      t,
      purgeSelectors(
        policies.filter((p) => p.tenant === t),
        deps.now,
      ),
    ]),
  );
  const outcomes: PartitionOutcome[] = [];
  for (const { partition, stream } of candidates) {
    let signed: SignedPurge[] = [];
    const places = new Map<string, PurgeRunStep>();
    const outcome = await deps.purger.drop(partition, stream, {
      cutoff: (tenant, category) => {
        const mine = selectors.get(tenant);
        return mine ? cutoffFor(mine, stream, category) : null;
      },
      expandHolds: (holds) => holds.flatMap((h) => deps.withAliases(h.tenant, [h])),
      sign: async (shares) => {
        signed = await Promise.all(shares.map((share) => signShare(deps, share, results.get(share.tenant)!)));
        for (const record of signed) places.set(record.purgeId, deps.runOf());
        return signed;
      },
      runOf: (purgeId) => places.get(purgeId)!,
    });
    outcomes.push(outcome);
    if (!outcome.dropped) continue;
    for (const record of signed) {
      const result = results.get(record.tenant)!;
      result.purged += record.count;
      result.records.push(record);
      const { purgeId, count, firstSeq, lastSeq } = record;
      result.purges.push({ purgeId, stream, count, firstSeq, lastSeq });
    }
  }
  return outcomes;
}

async function signShare(
  deps: PartitionDropDeps,
  share: PartitionShare,
  result: TenantPurge,
): Promise<SignedPurge> {
  if (!result.anchor) {
    const cp = await deps.checkpoints.latest(share.tenant);
    result.anchor = cp ? { seq: cp.seq, hash: cp.hash } : null;
  }
  return deps.checkpoints.signPurge({
    ...share,
    purgeId: newId(),
    anchorSeq: result.anchor?.seq ?? 0,
    anchorHash: result.anchor?.hash ?? '',
  });
}
