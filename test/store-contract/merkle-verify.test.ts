// `verify` recomputes the stored Merkle nodes from the chain, on both stores: a node altered or removed by
// someone with database access (guard trigger dropped), or a tree size claimed past the chain, fails it,
// named by the node and the seqs it covers. The log would otherwise sign roots from the forged node.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { MerkleLog } from '../../src/core/services/merkle-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { append, ev, prepareEventBatch } from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const key = generateSigningKey().key;
const TENANTS = ['mv-intact', 'mv-altered', 'mv-removed', 'mv-oversized'];
const ENTRIES = 111;

const verify = (tenant: string, merkleNodes = true) =>
  verifyStore(sut().store, { tenant, checkpointEvery: 0, merkleNodes });
const unguarded = (sql: string) =>
  sut().exec(
    sut().kind === 'sqlite'
      ? `DROP TRIGGER IF EXISTS merkle_nodes_no_update; DROP TRIGGER IF EXISTS merkle_nodes_no_delete; ${sql}`
      : `DROP TRIGGER IF EXISTS merkle_nodes_append_only ON merkle_nodes; ${sql}`,
  );

beforeAll(async () => {
  for (const t of TENANTS) {
    for (let done = 0; done < ENTRIES; done += 37) {
      const n = Math.min(37, ENTRIES - done);
      await append(
        sut().store,
        t,
        prepareEventBatch(
          t,
          Array.from({ length: n }, (_, i) => ev({ id: `${t}-${done + i}` })),
        ),
      );
    }
    expect(await new MerkleLog(sut().store, key).catchUp(t)).toBe(ENTRIES);
  }
});

describe('verify and the stored Merkle tree', () => {
  it('passes a tree that follows from the chain', async () => {
    const report = await verify('mv-intact');
    expect(report.entries).toBe(ENTRIES);
    expect(report.problems).toEqual([]);
  });

  it('fails an altered node, naming it and the seqs it covers', async () => {
    const t = 'mv-altered';
    await unguarded(`UPDATE merkle_nodes SET hash = (SELECT hash FROM merkle_nodes WHERE tenant = '${t}' AND level = 1 AND idx = 0)
      WHERE tenant = '${t}' AND level = 2 AND idx = 3`);
    expect((await verify(t)).problems).toEqual([
      {
        tenant: t,
        seq: 13,
        kind: 'merkle_mismatch',
        message: 'Merkle node 2/3 (seqs 13–16) does not match the chain',
      },
    ]);
    // Without the node check (verify's default), only the tree's size is held to the chain.
    expect((await verify(t, false)).problems).toEqual([]);
    expect((await verify('mv-intact')).problems).toEqual([]);
  });

  it('fails a node removed below the size the tree claims', async () => {
    const t = 'mv-removed';
    await unguarded(`DELETE FROM merkle_nodes WHERE tenant = '${t}' AND level = 5 AND idx = 2`);
    expect((await verify(t)).problems).toEqual([
      { tenant: t, seq: 65, kind: 'merkle_mismatch', message: 'Merkle node 5/2 (seqs 65–96) is missing' },
    ]);
  });

  it('fails a tree that claims more entries than the chain holds, also without the node check', async () => {
    const t = 'mv-oversized';
    await unguarded(`INSERT INTO merkle_sizes (tenant, size) VALUES ('${t}', 500)`);
    expect((await verify(t, false)).problems).toEqual((await verify(t)).problems);
    expect((await verify(t)).problems).toEqual([
      {
        tenant: t,
        seq: ENTRIES + 1,
        kind: 'merkle_mismatch',
        message: `the Merkle tree claims 500 entries; the chain ends at ${ENTRIES}`,
      },
    ]);
  });
});
