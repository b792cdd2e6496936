// `auditlog prove --consistency OLD NEW` reads the proof from the store the notes came from: without one it
// says so and creates nothing (it used to create ./data/auditlog.db and answer with the API's query error).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');
const notes = { old: dir.file('old.note'), new: dir.file('new.note'), acme: dir.file('acme.note') };

/** A fresh empty directory to run the command in. */
function emptyCwd(name: string): string {
  const cwd = dir.file(name);
  mkdirSync(cwd);
  return cwd;
}

/** What an operator reads: one `auditlog:` line, none of the API's wording. */
function expectCliMessage(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(pattern);
  expect(stderr).toMatch(/^auditlog: /);
  expect(stderr).not.toMatch(/Query parameter|\/to:|\/from:/);
}

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }) });
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-1' }), sampleEvent({ id: 'e-2' })] });
  writeFileSync(notes.old, (await log.merkle.checkpoint('default')).note);
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-3' })] });
  writeFileSync(notes.new, (await log.merkle.checkpoint('default')).note);
  await log.appendEvents('acme', { events: [sampleEvent({ id: 'a-1' })] });
  writeFileSync(notes.acme, (await log.merkle.checkpoint('acme')).note);
  await log.close();
});
afterAll(() => dir.remove());

describe('auditlog prove --consistency', () => {
  it('without --db, in an empty directory, names what it needs and creates no file', async () => {
    const cwd = emptyCwd('no-flags');
    const env = { AUDITLOG_DB: '', DATABASE_URL: '' };
    const res = await runCli(['prove', '--consistency', notes.old, notes.new], env, undefined, cwd);
    expect(res.code).toBe(2);
    expectCliMessage(
      res.stderr,
      /no store at \.\/data\/auditlog\.db: .*give --db FILE or --database-url URL/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('with --db naming a file that is not there, creates none', async () => {
    const cwd = emptyCwd('missing-db');
    const res = await runCli(
      ['prove', '--consistency', notes.old, notes.new, '--db', 'gone.db'],
      {},
      undefined,
      cwd,
    );
    expect(res.code).toBe(2);
    expectCliMessage(res.stderr, /no store at gone\.db/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('against another store, says the notes do not come from it', async () => {
    const cwd = emptyCwd('other-store');
    const other = dir.file('other.db');
    const log = await openAuditLog({ store: await SqliteStore.open({ file: other }) });
    await log.appendEvents('default', { events: [sampleEvent({ id: 'x-1' })] });
    await log.close();
    const res = await runCli(
      ['prove', '--consistency', notes.old, notes.new, '--db', other],
      {},
      undefined,
      cwd,
    );
    // Its own key signed none of these notes: refused as unverified (exit 1) before any proof is read.
    expect(res.code).toBe(1);
    expectCliMessage(res.stderr, /old\.note is not signed by this log's key .*of another store/);
    const wrongTenant = await runCli([
      'prove',
      '--consistency',
      notes.old,
      notes.new,
      '--db',
      db,
      '--tenant',
      'acme',
    ]);
    expectCliMessage(wrongTenant.stderr, /is a checkpoint of auditlog\/default, not of auditlog\/acme/);
  });

  it('a note file that is not there is named before any store is looked for', async () => {
    const cwd = emptyCwd('missing-note');
    const res = await runCli(['prove', '--consistency', 'a.note', notes.new], {}, undefined, cwd);
    expect(res.code).toBe(2);
    expectCliMessage(res.stderr, /a\.note: no such file/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('with the store the notes came from, writes the proof', async () => {
    const res = await runCli(['prove', '--consistency', notes.old, notes.new, '--db', db]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ format: 'auditlog-consistency/v1' });
  });

  it('refuses the notes in the wrong order (NEW before OLD), before any store is looked for', async () => {
    const cwd = emptyCwd('swapped');
    const out = dir.file('swapped/proof.json');
    const res = await runCli(
      ['prove', '--consistency', notes.new, notes.old, '--db', db, '--out', out],
      {},
      undefined,
      cwd,
    );
    expect(res.code).toBe(2);
    expectCliMessage(
      res.stderr,
      /--consistency takes the OLD note first, then the NEW one: .*new\.note is a checkpoint of 3 entries, .*old\.note of 2 \(swap them\)/,
    );
    expect(readdirSync(cwd)).toEqual([]);
    // The same note twice is consistent with itself: a proof with no hashes, which verifies.
    const same = await runCli(['prove', '--consistency', notes.new, notes.new, '--db', db]);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ proof: [] });
  });

  it("names another tenant's note as such, not as the wrong order", async () => {
    // The default log's note of 3 entries, then acme's of 1: swapping them would not help.
    const res = await runCli(['prove', '--consistency', notes.new, notes.acme, '--db', db]);
    expect(res.code).toBe(2);
    expectCliMessage(
      res.stderr,
      /--consistency takes two notes of one log: .*new\.note is a checkpoint of auditlog\/default, .*acme\.note of auditlog\/acme/,
    );
    expect(res.stderr).not.toMatch(/swap/);
  });
});

describe('auditlog prove --tree-size', () => {
  it('names the flag when the tree is too small for the event', async () => {
    const res = await runCli(['prove', 'e-2', '--tree-size', '1', '--db', db]);
    expect(res.code).toBe(2);
    expectCliMessage(res.stderr, /^auditlog: --tree-size 1: event e-2 is entry 2, after the tree of size 1/m);
    const ok = await runCli(['prove', 'e-2', '--tree-size', '2', '--db', db]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
