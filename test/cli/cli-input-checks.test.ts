// What the CLI refuses before it writes: a line repeating a JSON member name (as the API refuses it).
import { writeFileSync } from 'node:fs';
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
