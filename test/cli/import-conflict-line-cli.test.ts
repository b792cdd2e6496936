// `auditlog import` of a file whose line 1501 reuses an earlier id with other content: the store refuses that
// batch after the first 1000 events were stored. The message named `/events/500/id` (the batch's index) and
// not what was stored; it now names line 1501 and says 1000 events of earlier lines were stored. Real SQLite
// file, the built CLI.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('auditlog import with an id conflict past the first batch', () => {
  it('names the file line and says what was stored', async () => {
    const db = dir.file('conflict.db');
    const file = dir.file('conflict.ndjson');
    const events = Array.from({ length: 1500 }, (_, i) => sampleEvent({ id: `c-${i}` }));
    events.push(sampleEvent({ id: 'c-5', reason: 'other content' }));
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const res = await runCli(['import', file, '--db', db]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('line 1501: An entry with id "c-5" exists with other content');
    expect(res.stderr).toContain('1000 events of earlier lines were stored');
    expect(res.stderr).toContain('line 1501: /id: exists with other content');
    expect(res.stderr).not.toContain('/events/');
    const exported = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(exported.stdout.trim().split('\n')).toHaveLength(1001);
  });
});
