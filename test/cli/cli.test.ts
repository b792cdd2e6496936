import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

const lines = (events: unknown[]) => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

describe('auditlog import', () => {
  it('loads a valid file, and re-running it stores nothing twice', async () => {
    const db = dir.file('import.db');
    const file = dir.file('ok.ndjson');
    writeFileSync(file, lines(Array.from({ length: 2500 }, (_, i) => sampleEvent({ id: `imp-${i}` }))));
    const first = await runCli(['import', file, '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('import: 2500 events stored, 0 already present');
    const again = await runCli(['import', file, '--db', db]);
    expect(again.stderr).toContain('import: 0 events stored, 2500 already present');
    const exported = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2501);
  });

  it('says why an export of a store with personal-data encryption cannot be imported elsewhere', async () => {
    const env = { AUDITLOG_ENCRYPT_PERSONAL_DATA: '1' };
    const src = dir.file('sealed.db');
    const file = dir.file('sealed-in.ndjson');
    writeFileSync(file, lines([sampleEvent({ id: 'sealed-1' })]));
    expect((await runCli(['import', file, '--db', src], env)).code).toBe(0);
    const exported = dir.file('sealed-export.ndjson');
    writeFileSync(exported, (await runCli(['export', '--db', src], env)).stdout);
    const r = await runCli(['import', exported, '--db', dir.file('sealed-copy.db')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 1: holds personal fields sealed under the subject keys of the store');
  });

  it('skips a byte order mark, and says a missing file is bad input (exit 2)', async () => {
    const db = dir.file('bom.db');
    const file = dir.file('bom.ndjson');
    writeFileSync(file, `\ufeff${lines([sampleEvent({ id: 'bom-1' }), sampleEvent({ id: 'bom-2' })])}`);
    const r = await runCli(['import', file, '--db', db]);
    expect(r.stderr).toContain('import: 2 events stored');
    expect(r.code).toBe(0);
    for (const args of [
      ['import', dir.file('none.ndjson'), '--db', db],
      ['verify', '--file', dir.file('none.ndjson')],
    ]) {
      const missing = await runCli(args);
      expect({ args, code: missing.code }).toEqual({ args, code: 2 });
      expect(missing.stderr).toContain(`No file at ${dir.file('none.ndjson')}`);
    }
    for (const args of [
      ['import', dir.path, '--db', db],
      ['verify', '--file', dir.path],
    ]) {
      const folder = await runCli(args);
      expect({ args, code: folder.code }).toEqual({ args, code: 2 });
      expect(folder.stderr).toContain(`${dir.path} is a directory, not a file to read`);
    }
  });

  it('reports every invalid line and stores nothing', async () => {
    const db = dir.file('bad.db');
    const file = dir.file('bad.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify(sampleEvent({ id: 'good-1' })),
        '{not json',
        JSON.stringify(sampleEvent({ actor: {} })),
        '',
        JSON.stringify(sampleEvent({ action: 'patch', ip: 'nope' })),
      ].join('\n'),
    );
    const r = await runCli(['import', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 2: not valid JSON');
    expect(r.stderr).toContain('line 3: /actor/id is required');
    expect(r.stderr).toContain('line 5: /action must be one of: create, update, delete');
    expect(r.stderr).toContain('line 5: /ip must be a valid IPv4 or IPv6 address');
    expect(r.stderr).toContain('nothing was imported');
    const exported = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(exported.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('imports an NDJSON export into another store, which then verifies', async () => {
    const source = dir.file('source.db');
    const target = dir.file('target.db');
    const file = dir.file('source.ndjson');
    writeFileSync(file, lines(Array.from({ length: 300 }, (_, i) => sampleEvent({ id: `src-${i}` }))));
    await runCli(['import', file, '--db', source]);
    const exported = await runCli(['export', '--db', source, '--format', 'ndjson']);
    const exportFile = dir.file('export.ndjson');
    writeFileSync(exportFile, exported.stdout);
    const r = await runCli(['import', exportFile, '--db', target]);
    expect(r.code).toBe(0);
    // 300 events; the export's own auditlog.export event in the source comes after the snapshot.
    expect(r.stderr).toContain('import: 300 events stored');
    expect((await runCli(['verify', '--db', target])).code).toBe(0);
  });
});

describe('auditlog demo, token and export', () => {
  it('refuses a bad --events or --seed as bad usage (exit 2) and writes nothing', async () => {
    const db = dir.file('demo-bad.db');
    for (const args of [
      ['--events', '0'],
      ['--events', 'many'],
      ['--seed', 'x'],
    ]) {
      const r = await runCli(['demo', ...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--(events must be a positive integer|seed must be an integer)/);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('fills a store with every category and a sign-in history with attacks to find', async () => {
    const db = dir.file('demo.db');
    const r = await runCli(['demo', '--events', '3000', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/demo: wrote 3000 administrative events and \d+ authentication events/);
    const token = (
      await runCli(['token', 'create', '--tenant', 'default', '--scopes', 'read', '--name', 'ro', '--db', db])
    ).stdout.trim();
    expect(token).toMatch(/^al_/);
    const server = await startServerProcess(['--db', db]);
    try {
      const get = async (path: string) =>
        (
          await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } })
        ).json() as Promise<any>;
      const stats = await get('/v1/stats?groupBy=category');
      expect(stats.groups.map((g: any) => g.key).sort()).toEqual([
        'ai',
        'bulk',
        'campaigns',
        'inbound',
        'security',
        'settings',
        'telephony',
        'users',
      ]);
      const alerts = await get('/v1/alerts');
      expect(alerts.alerts.map((a: any) => a.kind).sort()).toEqual(['brute_force', 'password_spraying']);
      const methods = new Set((await get('/v1/sessions?limit=500')).sessions.map((s: any) => s.method));
      expect([...methods].filter(Boolean).sort()).toEqual([
        'password',
        'password_email_2fa',
        'password_totp',
      ]);
      const denied = await fetch(`${server.url}/v1/tokens`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(denied.status).toBe(403);
    } finally {
      await server.stop();
    }
    const csv = await runCli([
      'export',
      '--db',
      db,
      '--format',
      'csv',
      '--category',
      'ai',
      '--action',
      'update',
    ]);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(10);
    expect(csv.stderr).toContain(`export: ${rows.length} events`);
  });

  it('refuses to export a tenant that holds no entries (a typo), without creating it', async () => {
    const db = dir.file('export-typo.db');
    writeFileSync(dir.file('one.ndjson'), lines([sampleEvent({ id: 'one-1' })]));
    expect((await runCli(['import', dir.file('one.ndjson'), '--db', db])).code).toBe(0);
    const typo = await runCli(['export', '--db', db, '--tenant', 'defualt']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Tenant defualt holds no entries: nothing to export');
    const verified = await runCli(['verify', '--db', db]);
    expect(verified.stdout).toMatch(/^OK 1 entries in 1 tenant\(s\)/);
  });

  it('rejects both --db and --database-url', async () => {
    const r = await runCli(['export', '--db', 'x.db', '--database-url', 'postgres://x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('either --db or --database-url');
  });
});

describe('auditlog serve', () => {
  it('exits 1 when its port is taken, and 2 for a port that is none, instead of idling unserved', async () => {
    const first = await startServerProcess(['--db', dir.file('serve-a.db')]);
    try {
      const port = new URL(first.url).port;
      const taken = await runCli([
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        port,
        '--db',
        dir.file('serve-b.db'),
      ]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1 port ${port}`);
      expect(taken.stderr).toContain('EADDRINUSE');
    } finally {
      await first.stop();
    }
    for (const port of ['abc', '99999', '1.5', '']) {
      const bad = await runCli(['serve', '--port', port, '--db', dir.file('serve-c.db')]);
      expect({ port, code: bad.code }).toEqual({ port, code: 2 });
      expect(bad.stderr).toContain('--port (or PORT) must be a TCP port');
    }
    // A bad port is refused before the store is opened.
    expect(existsSync(dir.file('serve-c.db'))).toBe(false);
  });
});
