import { copyFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { entryDigest } from '../../src/core/domain/hash-chain.js';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const TOKEN = 'PkqNfWbuZ2Ck4Hz3aJeY--RZpoaVy_jO';
const dir = tempDir();
const db = dir.file('a.db');
const firstKey = generateSigningKey();
const secondKey = generateSigningKey();

async function post(server: ServerProcess, path: string, body: unknown): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function fill(server: ServerProcess, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 250) {
    const events = Array.from({ length: Math.min(250, n - i) }, (_, k) =>
      sampleEvent({ id: `${prefix}-${i + k}`, target: { type: 'Carrier', id: `${prefix}-${(i + k) % 13}` } }),
    );
    expect((await post(server, '/v1/events', { events })).status).toBe(201);
  }
}

beforeAll(async () => {
  // Written under one key, then the key is rotated and more is written: both keys' checkpoints must verify.
  let server = await startServerProcess(['--db', db], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_SIGNING_KEY: firstKey.privatePem,
  });
  await fill(server, 'first', 1500);
  const latest = await fetch(`${server.url}/v1/integrity/checkpoints/latest`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(latest.status).toBe(200);
  const checkpoint: any = await latest.json();
  expect(checkpoint).toMatchObject({ tenant: 'default', seq: 1500, keyId: firstKey.key.keyId });
  expect(checkpoint.publicKey).toBe(firstKey.key.publicKeyPem);
  expect(await server.stop()).toBe(0);
  server = await startServerProcess(['--db', db], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_SIGNING_KEY: secondKey.privatePem,
  });
  await fill(server, 'second', 700);
  expect(await server.stop()).toBe(0);
}, 60_000);
afterAll(() => dir.remove());

describe('auditlog verify --db', () => {
  it('passes on an intact copy after a key rotation, with a one-line summary', async () => {
    const copy = dir.file('copy.db');
    copyFileSync(db, copy);
    const r = await runCli(['verify', '--db', copy]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^OK 2,200 entries in 1 tenant\(s\) intact; newest checkpoint default@2200 /);
    expect(r.stdout).toContain(`by key ${secondKey.key.keyId}`);
  });

  it('checks against keys the auditor holds: both keys pass, one key alone does not', async () => {
    const pub1 = dir.file('k1.pem');
    const pub2 = dir.file('k2.pem');
    writeFileSync(pub1, firstKey.key.publicKeyPem);
    writeFileSync(pub2, secondKey.key.publicKeyPem);
    expect((await runCli(['verify', '--db', db, '--public-key', pub1, '--public-key', pub2])).code).toBe(0);
    const onlyNew = await runCli(['verify', '--db', db, '--public-key', pub2]);
    expect(onlyNew.code).toBe(1);
    expect(onlyNew.stdout).toMatch(/^FAILED tenant default seq 1000: checkpoint signature invalid/);
  });

  it('fails with exit 1, the seq and the kind on a tampered file', async () => {
    const copy = dir.file('tampered.db');
    copyFileSync(db, copy);
    const Database = (await import('better-sqlite3')).default;
    const handle = new Database(copy);
    handle.exec('DROP TRIGGER events_no_update');
    handle.prepare("UPDATE events SET body = replace(body, 'first-7', 'first-8') WHERE seq = 777").run();
    handle.close();
    const r = await runCli(['verify', '--db', copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED tenant default seq 777: altered/);
  });

  it('verifies a filtered export offline, and catches edits to it', async () => {
    // With the servers' key, as an operator runs it: the end line is signed by the key the auditor holds.
    const exported = await runCli(['export', '--db', db, '--target-id', 'first-3'], {
      AUDITLOG_SIGNING_KEY: secondKey.privatePem,
    });
    expect(exported.code).toBe(0);
    const file = dir.file('export.ndjson');
    writeFileSync(file, exported.stdout);
    const lines = exported.stdout.trim().split('\n');
    const events = lines.filter(
      (l) => !l.startsWith('{"bridge"') && !l.startsWith('{"checkpoint"') && !l.startsWith('{"end"'),
    );
    expect(events.length).toBe(Math.ceil(1500 / 13));
    const pub = dir.file('keys.pem');
    writeFileSync(pub, firstKey.key.publicKeyPem);
    const ok = await runCli([
      'verify',
      '--file',
      file,
      '--public-key',
      pub,
      '--public-key',
      secondKey.key.publicKeyPem,
    ]);
    expect(ok.stdout).toMatch(/^OK .*: 116 events intact/);
    const end = JSON.parse(lines.at(-1)!).end;
    expect(end).toMatchObject({ tenant: 'default', events: 116, filters: { targetId: 'first-3' } });
    expect(ok.stdout).toContain(
      `default: all 116 events of export ${end.exportId}, taken at seq ${end.seq} (signed ${end.signedAt})`,
    );
    expect(ok.code).toBe(0);
    // Cut just after an earlier checkpoint line, every event left is proven, but the signed end line is gone.
    const firstCheckpoint = lines.findIndex((l) => l.startsWith('{"checkpoint"'));
    const cutFile = dir.file('cut.ndjson');
    writeFileSync(cutFile, `${lines.slice(0, firstCheckpoint + 1).join('\n')}\n`);
    const cut = await runCli(['verify', '--file', cutFile]);
    expect(cut.code).toBe(1);
    const firstSeq = JSON.parse(lines[firstCheckpoint]!).checkpoint.seq;
    expect(cut.stdout).toContain(
      `missing — the export of tenant default has no signed end line: it was cut short after the checkpoint at seq ${firstSeq} `,
    );
    // An export made before the end line existed is accepted on request, saying how little that proves.
    const legacy = await runCli(['verify', '--file', cutFile, '--allow-missing-end']);
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toContain(`default through seq ${firstSeq} `);
    expect(legacy.stdout).toContain('NOT proven whole: no end line');
    // Given the date from which every writer ended its exports, a file with a checkpoint signed since was cut.
    const signedAt = JSON.parse(lines[firstCheckpoint]!).checkpoint.signedAt as string;
    const since = await runCli(['verify', '--file', cutFile, '--allow-missing-end', signedAt]);
    expect([since.code, since.stdout]).toEqual([
      1,
      expect.stringContaining(
        `cut short after the checkpoint at seq ${firstSeq}, signed ${signedAt}: exported after`,
      ),
    ]);
    const later = new Date(Date.parse(signedAt) + 1).toISOString();
    const older = await runCli(['verify', '--file', cutFile, '--allow-missing-end', later]);
    expect([older.code, older.stdout]).toEqual([0, expect.stringContaining('NOT proven whole: no end line')]);
    const notADate = await runCli(['verify', '--file', cutFile, '--allow-missing-end', 'soon']);
    expect([notADate.code, notADate.stderr]).toEqual([
      2,
      expect.stringContaining('--allow-missing-end takes a date'),
    ]);

    const variant = async (name: string, edit: (ls: string[]) => string[]) => {
      const f = dir.file(name);
      writeFileSync(f, `${edit([...lines]).join('\n')}\n`);
      return runCli(['verify', '--file', f]);
    };
    const firstEvent = lines.findIndex((l) => l.includes('"id":"first-'));
    const changed = await variant('changed.ndjson', (ls) => {
      ls[firstEvent] = ls[firstEvent]!.replace('"maxChannels":120', '"maxChannels":121');
      return ls;
    });
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/seq \d+: altered/);

    const eventIdx = lines.map((l, i) => (l.includes('"id":"first-') ? i : -1)).filter((i) => i >= 0);
    const dropped = await variant('dropped.ndjson', (ls) => ls.filter((_, i) => i !== eventIdx[3]));
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toMatch(/: (missing|checkpoint mismatch)/);

    const swapped = await variant('swapped.ndjson', (ls) => {
      const [a, b] = [eventIdx[5]!, eventIdx[6]!];
      [ls[a], ls[b]] = [ls[b]!, ls[a]!];
      return ls;
    });
    expect(swapped.code).toBe(1);

    const forged = await variant('forged.ndjson', (ls) => {
      const i = ls.findIndex((l) => l.startsWith('{"checkpoint"'));
      const c = JSON.parse(ls[i]!);
      c.checkpoint.hash = 'f'.repeat(64);
      ls[i] = JSON.stringify(c);
      return ls;
    });
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/checkpoint signature invalid/);

    const unsigned = await variant('unsigned.ndjson', (ls) => ls.slice(0, -2));
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/no signed checkpoint follows/);

    // The cut kept its end line: the signed count tells.
    const cutWithEnd = await variant('cut-end.ndjson', (ls) => [
      ...ls.slice(0, firstCheckpoint + 1),
      ls.at(-1)!,
    ]);
    expect(cutWithEnd.code).toBe(1);
    expect(cutWithEnd.stdout).toMatch(
      /missing — line \d+: the export holds \d+ events of tenant default, its signed end line 116/,
    );

    // An event swapped for a bridge of its digest still links the chain; only the end line's count tells.
    const hidden = await variant('hidden.ndjson', (ls) => {
      const i = eventIdx[4]!;
      const { seq, tenant, receivedAt, prevHash, hash, ...body } = JSON.parse(ls[i]!);
      const digest = entryDigest('event', receivedAt, canonicalJson(body));
      ls[i] = JSON.stringify({ bridge: { tenant, fromSeq: seq, toSeq: seq, digests: [digest] } });
      return ls;
    });
    expect(hidden.code).toBe(1);
    expect(hidden.stdout).toContain(
      '115 events of tenant default, its signed end line 116: events were removed',
    );

    // One event traded for another as many: the first bridged by its digest, the next entry's line (from a full
    // export) in its bridge's place. Every line still links; only the signed seqs tell.
    const full = (await runCli(['export', '--db', db], { AUDITLOG_SIGNING_KEY: secondKey.privatePem })).stdout
      .trim()
      .split('\n');
    const traded = await variant('traded.ndjson', (ls) => {
      const i = eventIdx[4]!;
      const e = JSON.parse(ls[i]!);
      const { seq, tenant, receivedAt, prevHash, hash, ...body } = e;
      const next = JSON.parse(ls[i + 1]!).bridge;
      expect(next.fromSeq).toBe(seq + 1);
      const other = full.find((l) => l.startsWith(`{"seq":${seq + 1},`))!;
      const digest = entryDigest('event', receivedAt, canonicalJson(body));
      ls[i] = JSON.stringify({ bridge: { tenant, fromSeq: seq, toSeq: seq, digests: [digest] } });
      const rest = { ...next, fromSeq: seq + 2, digests: next.digests.slice(1) };
      ls.splice(i + 1, 1, other, JSON.stringify({ bridge: rest }));
      return ls;
    });
    expect(traded.code).toBe(1);
    expect(traded.stdout).toContain(
      'are not those its signed end line names: an event was swapped for another',
    );

    const recounted = await variant('recounted.ndjson', (ls) => {
      const e = JSON.parse(ls.at(-1)!);
      e.end.events = 115;
      return [...ls.slice(0, -1), JSON.stringify(e)];
    });
    expect(recounted.code).toBe(1);
    expect(recounted.stdout).toMatch(
      /checkpoint signature invalid — line \d+: the export's end line is not validly signed/,
    );

    // A key written twice: a parser keeps the last, so the hash holds, but a reader of the file sees the first.
    const framed = await variant('framed.ndjson', (ls) => {
      ls[eventIdx[2]!] = ls[eventIdx[2]!]!.replace('"actor":{', '"actor":{"id":"usr_FRAMED",');
      return ls;
    });
    expect(framed.code).toBe(1);
    expect(framed.stdout).toMatch(/altered — line \d+: seq \d+ is not written as its hashed bytes/);

    const after = await variant('after-end.ndjson', (ls) => [...ls, ls[eventIdx[0]!]!]);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/inserted — line \d+: a line of tenant default after its export's end line/);
  });

  it('fails when it checked nothing: an empty file, a tenant the store or the file does not hold', async () => {
    const empty = dir.file('empty.ndjson');
    writeFileSync(empty, '');
    const none = await runCli(['verify', '--file', empty]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(
      /^FAILED: .*empty\.ndjson holds no signed checkpoint or end line: nothing is proven/,
    );
    // A store with no entries at all (a cron job pointed at the wrong, empty database).
    const emptyDb = dir.file('empty.db');
    expect((await runCli(['migrate', '--db', emptyDb])).code).toBe(0);
    const emptyStore = await runCli(['verify', '--db', emptyDb]);
    expect(emptyStore.code).toBe(1);
    expect(emptyStore.stdout).toContain('FAILED: the store holds no entries: nothing was verified');
    const typo = await runCli(['verify', '--db', db, '--tenant', 'defualt']);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('FAILED: tenant defualt holds no entries: nothing was verified');
    const file = dir.file('whole.ndjson');
    writeFileSync(file, (await runCli(['export', '--db', db])).stdout);
    const other = await runCli(['verify', '--file', file, '--tenant', 'defualt']);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('holds no signed checkpoint or end line of tenant defualt');
    expect((await runCli(['verify', '--file', file, '--tenant', 'default'])).code).toBe(0);
  });

  it('reports a missing file clearly', async () => {
    const r = await runCli(['verify', '--db', dir.file('nope.db')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('No database at');
  });
});
