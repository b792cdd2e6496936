// What the forgery suites (forgeries.test.ts, postgres-forgeries.test.ts) check once a forged copy of an entry
// is in a store: the same expectations on both stores.
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { EXPORT_PAGE } from '../../src/core/services/verifiable-export.js';
import { type CliResult, runCli, type ServerProcess } from './cli.js';
import { FORGED_ACTOR } from './forgery.js';
import { sampleEvent } from './test-server.js';

/**
 * The store both suites forge in, filled through the API of `server`: events `e-<seq>` (target `t-<seq mod 7>`),
 * with the latest checkpoint saved to the file `saved` at 1500 and at the end, one JSON per line, as an
 * operator keeps them (README).
 */
export async function fillAndSaveCheckpoints(
  server: ServerProcess,
  token: string,
  entries: number,
  saved: string,
): Promise<void> {
  const headers = { authorization: `Bearer ${token}` };
  const lines: string[] = [];
  for (const [from, to] of [
    [1, 1500],
    [1501, entries],
  ] as const) {
    for (let seq = from; seq <= to; seq += 300) {
      const events = Array.from({ length: Math.min(300, to - seq + 1) }, (_, k) =>
        sampleEvent({
          id: `e-${seq + k}`,
          newValue: { maxChannels: seq + k },
          target: { type: 'Carrier', id: `t-${(seq + k) % 7}` },
        }),
      );
      const res = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      expect(res.status).toBe(201);
    }
    const res = await fetch(`${server.url}/v1/integrity/checkpoints/latest`, { headers });
    expect(res.status).toBe(200);
    lines.push(await res.text());
  }
  writeFileSync(saved, `${lines.join('\n')}\n`);
}

/** `auditlog verify …` with its FAILED lines. */
export async function verifyCli(...args: string[]): Promise<CliResult & { failed: string[] }> {
  const r = await runCli(['verify', ...args]);
  return { ...r, failed: r.stdout.split('\n').filter((l) => l.startsWith('FAILED')) };
}

/**
 * A forged copy (forgery.ts forgedCopy, id `forgedId`) of tenant default's event `e-<seq>` is in the store that
 * `verifyArgs` name and `serve` serves: verify fails naming the seq and both ids; a read by id serves the
 * forgery (it serves what the table holds — verify is what tells); an export carries it and verify --file
 * fails there. An export reads pages of 1000 by seq and may keep only one copy of a seq that ends a page:
 * then it must be the genuine one, and the export a true chain.
 */
export async function expectForgedCopyCaught(o: {
  seq: number;
  forgedId: string;
  verifyArgs: string[];
  serve: () => Promise<ServerProcess>;
  token: string;
  publicKeyPem: string;
  exportFile: string;
}): Promise<void> {
  const { seq, forgedId } = o;
  const r = await verifyCli(...o.verifyArgs);
  expect(r.code).toBe(1);
  expect(r.failed).toHaveLength(1);
  expect(r.failed[0]).toMatch(`FAILED tenant default seq ${seq}: inserted — 2 entries claim seq ${seq}: `);
  expect(r.failed[0]).toContain(`e-${seq} (event, links to seq ${seq - 1})`);
  expect(r.failed[0]).toContain(`${forgedId} (event, links to seq ${seq - 1})`);

  const server = await o.serve();
  const get = (path: string) => fetch(server.url + path, { headers: { authorization: `Bearer ${o.token}` } });
  let exported: string;
  try {
    const res = await get(`/v1/events/${forgedId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: forgedId, seq, actor: FORGED_ACTOR });
    exported = await (await get('/v1/export?format=ndjson')).text();
  } finally {
    expect(await server.stop()).toBe(0);
  }
  writeFileSync(o.exportFile, exported);
  const atSeq = exported
    .split('\n')
    .filter((l) => l.startsWith(`{"seq":${seq},`))
    .map((l) => JSON.parse(l).id as string);
  const offline = await verifyCli('--file', o.exportFile, '--public-key', o.publicKeyPem);
  // Where a page of the export ends at `seq`, the next starts after it: a second entry at that seq is left out.
  if (seq % EXPORT_PAGE !== 0) expect(atSeq.sort()).toEqual([`e-${seq}`, forgedId].sort());
  if (atSeq.includes(forgedId)) {
    expect(offline.failed[0]).toMatch(new RegExp(`^FAILED tenant default seq (${seq}|${seq + 1}): `));
    if (atSeq.length === 2) expect(offline.failed[0]).toContain(`two events claim seq ${seq}: ids `);
    expect(offline.code).toBe(1);
  } else {
    expect(atSeq).toEqual([`e-${seq}`]);
    expect(offline.code).toBe(0);
  }
}

/**
 * Tenant default's 3400 events were rewritten from seq 2500 and the checkpoints from 2500 on deleted, in the
 * store `verifyArgs` name and `serve` serves; `saved` holds the checkpoints an operator saved before (the
 * second at 3400): verify reports the checkpoint the schedule requires at 3000; once a server has signed the
 * forged chain, the store verifies again, and only the saved checkpoint tells — in the store and in an export.
 */
export async function expectTailRewriteCaught(o: {
  verifyArgs: string[];
  serve: () => Promise<ServerProcess>;
  token: string;
  saved: string;
  exportFile: string;
}): Promise<void> {
  const r = await verifyCli(...o.verifyArgs);
  expect(r.failed).toHaveLength(1);
  expect(r.failed[0]).toMatch(
    /^FAILED tenant default seq 3000: checkpoint missing — no checkpoint at seq 3000, where one is signed every 1,000 entries; the [\d,]+ entries after seq \d+ are proven by no signature/,
  );
  expect(r.code).toBe(1);

  // A server on the rewritten store signs the missing checkpoints — over the forged entries.
  const server = await o.serve();
  const get = (path: string) => fetch(server.url + path, { headers: { authorization: `Bearer ${o.token}` } });
  let exported: string;
  try {
    expect((await get('/v1/integrity/checkpoints/latest')).status).toBe(200);
    exported = await (await get('/v1/export?format=ndjson')).text();
  } finally {
    expect(await server.stop()).toBe(0);
  }
  const plain = await verifyCli(...o.verifyArgs);
  expect(plain.stdout).toMatch(/^OK /);
  expect(plain.code).toBe(0);

  const withSaved = await verifyCli(...o.verifyArgs, '--checkpoint', o.saved);
  expect(withSaved.failed).toEqual([
    `FAILED tenant default seq 3400: checkpoint mismatch — the chain no longer extends the checkpoint saved in ${o.saved}:2: its hash at seq 3400 is not the one signed (entries up to 3400 were changed)`,
  ]);
  expect(withSaved.code).toBe(1);

  writeFileSync(o.exportFile, exported);
  expect((await verifyCli('--file', o.exportFile)).code).toBe(0);
  const offline = await verifyCli('--file', o.exportFile, '--checkpoint', o.saved);
  expect(offline.failed).toEqual([
    expect.stringMatching(
      /^FAILED tenant default seq 3400: checkpoint mismatch — line \d+: the export no longer extends the checkpoint saved in /,
    ),
  ]);
  expect(offline.code).toBe(1);
}
