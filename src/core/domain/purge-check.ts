import type { Problem } from './chain-verifier.js';
import { purgeSignatureValid, type SeqsDigest, type SignedPurge } from './purge-record.js';

/**
 * Holds a tenant's tombstones to the signed purge records: every group of tombstones (by purge id) needs a
 * record of this tenant, validly signed by a trusted key, whose count and seqsDigest are exactly the
 * group's. Anything else is content removed without the log's signature.
 */
export function purgeProblems(
  tenant: string,
  purges: readonly SignedPurge[],
  tombstones: ReadonlyMap<string, SeqsDigest>,
  keys: ReadonlyMap<string, string>,
): Problem[] {
  const byId = new Map(purges.filter((p) => p.tenant === tenant).map((p) => [p.purgeId, p] as const));
  const out: Problem[] = [];
  for (const [purgeId, seqs] of tombstones) {
    const range = seqs.first === seqs.last ? `${seqs.first}` : `${seqs.first}–${seqs.last}`;
    const record = byId.get(purgeId);
    if (!record) {
      out.push({
        tenant,
        seq: seqs.first,
        kind: 'missing',
        message: `the content of ${seqs.count} entries (seqs ${range}) was removed without a signed purge record`,
      });
      continue;
    }
    const key = keys.get(record.keyId);
    if (!key || !purgeSignatureValid(record, key)) {
      const why = key ? 'its signature is invalid' : `key ${record.keyId} is not a trusted key`;
      out.push({
        tenant,
        seq: seqs.first,
        kind: 'purge_invalid',
        message: `purge ${purgeId} (seqs ${range}): ${why}`,
      });
    } else if (record.count !== seqs.count || record.seqsDigest !== seqs.digest()) {
      out.push({
        tenant,
        seq: seqs.first,
        kind: 'purge_invalid',
        message: `purge ${purgeId} signed ${record.count} entries (seqs ${record.firstSeq}–${record.lastSeq}) but ${seqs.count} tombstones (seqs ${range}) name it`,
      });
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}
