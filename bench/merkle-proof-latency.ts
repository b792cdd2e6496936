import { loadavg } from 'node:os';
import { entryLeafHash } from '../src/core/domain/merkle/merkle-hash.js';
import { inclusionPlan } from '../src/core/domain/merkle/merkle-proofs.js';
import { verifyConsistency, verifyInclusion } from '../src/core/domain/merkle/merkle-verify.js';
import type { AuditLog } from '../src/core/services/audit-log.js';
import { fmt, ms, type Report } from './lib/report.js';

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * Times `fn` over rounds 0..rounds-1 (after `warm` untimed calls on rounds past those): sorted wall-clock
 * ms, and sorted CPU ms of this process — on a shared, loaded machine the wall clock's tail is mostly time
 * spent waiting for a core, which the CPU time leaves out.
 */
async function timed(
  rounds: number,
  warm: number,
  fn: (round: number) => Promise<void>,
): Promise<{ wall: number[]; cpu: number[] }> {
  for (let r = 0; r < warm; r++) await fn(rounds + r);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const used = process.cpuUsage();
    const started = performance.now();
    await fn(r);
    wall.push(performance.now() - started);
    const d = process.cpuUsage(used);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

const spread = (t: { wall: number[]; cpu: number[] }) =>
  `p50 ${ms(percentile(t.wall, 0.5))}, p99 ${ms(percentile(t.wall, 0.99))}; CPU p50 ${ms(percentile(t.cpu, 0.5))}, p95 ${ms(percentile(t.cpu, 0.95))}`;

/**
 * The proof figures of one loaded tree of `size` entries: `idOf(seq)` names the administrative event at a
 * seq (undefined: none there, try another). Baseline in the same run: reading one event by id (getEvent),
 * the floor of any proof, which starts with that read. Every proof timed is also checked (untimed) against
 * the signed root, so a figure never comes from a wrong answer.
 */
export async function proofLatency(
  report: Report,
  section: string,
  log: AuditLog,
  size: number,
  randomId: () => Promise<string>,
  rounds: number,
): Promise<void> {
  report.add(section, 'load average at the start', loadavg()[0]!.toFixed(1), 'shared 2-core machine');
  const first = performance.now();
  const head = await log.merkle.checkpoint('default');
  report.add(section, 'first checkpoint after opening (cold)', ms(performance.now() - first));
  if (head.treeSize !== size) throw new Error(`the tree covers ${head.treeSize}, not ${size}`);
  const root = Buffer.from(head.rootHash, 'hex');
  const ids: string[] = [];
  for (let i = 0; i < rounds + 20; i++) ids.push(await randomId());
  const read = await timed(rounds, 20, async (r) => {
    await log.store.getEvent('default', ids[r]!);
  });
  report.add(
    section,
    `baseline: read one event by id (${fmt(rounds)})`,
    `p95 ${ms(percentile(read.wall, 0.95))}`,
    spread(read),
  );
  const proofs = await timed(rounds, 20, async (r) => {
    const bundle = await log.merkle.prove('default', ids[r]!);
    const proof = bundle.inclusionProof.map((h) => Buffer.from(h, 'hex'));
    if (!verifyInclusion(entryLeafHash(bundle.entry.hash), bundle.leafIndex, size, proof, root))
      throw new Error(`the proof of ${ids[r]} does not verify`);
  });
  const p95 = percentile(proofs.wall, 0.95);
  const ratio = percentile(proofs.wall, 0.5) / percentile(read.wall, 0.5);
  report.add(
    section,
    `inclusion proof bundle of a random event (${fmt(rounds)})`,
    `p95 ${ms(p95)}`,
    `${spread(proofs)}; p50 ${ratio.toFixed(1)}× the read's; goal p95 ≤ 10 ms; reads ${inclusionPlan(0, size).nodes.length} node rows in one statement`,
  );
  const firsts = Array.from({ length: rounds + 20 }, () => 1 + Math.floor(Math.random() * (size - 1)));
  const answers: Buffer[][] = [];
  const consistency = await timed(rounds, 20, async (r) => {
    answers[r] = (await log.merkle.consistency('default', firsts[r]!, size)).map((h) =>
      Buffer.from(h, 'hex'),
    );
  });
  for (let r = 0; r < 50; r++) {
    const rootM = Buffer.from((await log.merkle.checkpoint('default', firsts[r]!)).rootHash, 'hex');
    if (!verifyConsistency(firsts[r]!, size, answers[r]!, rootM, root))
      throw new Error(`the consistency proof from ${firsts[r]} does not verify`);
  }
  report.add(
    section,
    `consistency proof from a random size (${fmt(rounds)})`,
    `p95 ${ms(percentile(consistency.wall, 0.95))}`,
    `${spread(consistency)}; goal p95 ≤ 10 ms; 50 of them checked against both signed roots`,
  );
}
