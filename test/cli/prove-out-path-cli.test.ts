// `auditlog prove ID --out PATH` where PATH cannot be written (its directory is missing, or it is a
// directory): exit 2 naming --out. It was exit 1 with Node's bare `ENOENT: no such file or directory, open …`.
// Real SQLite file, the built CLI.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');

beforeAll(async () => {
  const input = dir.file('in.ndjson');
  writeFileSync(input, `${JSON.stringify(sampleEvent({ id: 'e-1' }))}\n`);
  expect((await runCli(['import', input, '--db', db])).code).toBe(0);
});
afterAll(() => dir.remove());

describe('auditlog prove --out to a path that cannot be written', () => {
  it('is exit 2 naming --out, for a missing directory and for a directory', async () => {
    const missing = dir.file('no-such-dir/p.json');
    const a = await runCli(['prove', 'e-1', '--db', db, '--out', missing]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`--out ${missing} cannot be written (ENOENT)`);
    const b = await runCli(['prove', 'e-1', '--db', db, '--out', dir.file('')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--out');
    expect(b.stderr).toContain('cannot be written (EISDIR)');
  });
});
