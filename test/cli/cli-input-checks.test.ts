// What the CLI refuses before it writes: a line repeating a JSON member name (as the API refuses it), and a
// tenant name no token can ever have (which would seal events into a chain nothing can read).
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('auditlog import and repeated JSON names', () => {
  it('reports each line with a repeated name by line and pointer, and stores nothing', async () => {
    const db = dir.file('dup.db');
    const file = dir.file('dup.ndjson');
    const good = JSON.stringify(sampleEvent({ id: 'ok-1' }));
    writeFileSync(
      file,
      [
        good,
        '{"id":"dup-1","actor":{"id":"u1","id":"u2"},"action":"create","category":"users","target":{"type":"User","id":"b"}}',
        // The same name spelled with an escape is the same name (the API compares them decoded too).
        '{"id":"dup-2","actor":{"id":"u1"},"action":"create","category":"users","target":{"type":"User","id":"b"},"newValue":{"a":1,"\\u0061":2}}',
        '{"id":"dup-3","actor":{"id":"u1"},"action":"create","category":"users","target":{"type":"User","id":"b","tags":[{"k/x":1,"k/x":2}]}}',
      ].join('\n'),
    );
    const r = await runCli(['import', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 2: /actor/id: duplicate key');
    expect(r.stderr).toContain('line 3: /newValue/a: duplicate key');
    expect(r.stderr).toContain('line 4: /target/tags/0/k~1x: duplicate key');
    expect(r.stderr).not.toContain('line 1:');
    expect(r.stderr).toContain('nothing was imported');
    const exported = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(exported.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('still imports a line whose names repeat only across objects or inside strings', async () => {
    const db = dir.file('nodup.db');
    const file = dir.file('nodup.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify(sampleEvent({ id: 'n-1', oldValue: { a: 1, note: '"a":1,"a":2' }, newValue: { a: 2 } }))}\n`,
    );
    const r = await runCli(['import', file, '--db', db]);
    expect(r.stderr).toContain('import: 1 events stored');
    expect(r.code).toBe(0);
  });
});

describe('tenant names of commands that create in a tenant', () => {
  const event = dir.file('one.ndjson');
  writeFileSync(event, `${JSON.stringify(sampleEvent({ id: 't-1' }))}\n`);

  const refused = (db: string) => [
    ['import', event, '--db', db],
    ['demo', '--events', '10', '--db', db],
    ['retention', 'set', '--days', '30', '--db', db],
    ['hold', 'create', '--reason', 'case 1', '--db', db],
    ['destination', 'create', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/x', '--db', db],
  ];

  const message = (tenant: string) =>
    `option '--tenant <tenant>' argument '${tenant}' is invalid. a tenant name must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit`;

  it('refuses an impossible --tenant with exit 2 in every such command, before a store is opened', async () => {
    const db = dir.file('bad-tenant.db');
    for (const args of refused(db)) {
      const r = await runCli([...args, '--tenant', '../x']);
      expect({ args: args[0], code: r.code }).toEqual({ args: args[0], code: 2 });
      expect(r.stderr).toContain(message('../x'));
    }
    for (const tenant of ['', '###', '.hidden', 'a'.repeat(65), 'a b']) {
      const r = await runCli(['import', event, '--db', db, '--tenant', tenant]);
      expect({ tenant, code: r.code }).toEqual({ tenant, code: 2 });
      expect(r.stderr).toContain(message(tenant));
    }
    expect(existsSync(db)).toBe(false);
  });

  it('takes every name a token can have, and reads under any name', async () => {
    const db = dir.file('good-tenant.db');
    const tenant = `A9.b-c_${'x'.repeat(57)}`;
    expect(tenant).toHaveLength(64);
    const imported = await runCli(['import', event, '--db', db, '--tenant', tenant]);
    expect(imported.code).toBe(0);
    expect((await runCli(['retention', 'set', '--days', '30', '--db', db, '--tenant', tenant])).code).toBe(0);
    expect((await runCli(['hold', 'create', '--reason', 'c', '--db', db, '--tenant', tenant])).code).toBe(0);
    const exported = await runCli(['export', '--db', db, '--tenant', tenant, '--format', 'csv']);
    // The header, the event, and the self-audit records of the policy and the hold.
    expect(exported.stdout.trim().split('\n')).toHaveLength(4);
    // Reading commands do not judge the name: an unknown one simply holds nothing.
    const other = await runCli(['hold', 'list', '--db', db, '--tenant', '../x']);
    expect(other).toMatchObject({ code: 0, stdout: '' });
  });
});
