// A --public-key that is not a key names the flag and the file (or says there is no such file), for a store's
// verify and for a proof's; it gave only the decoder's error (`error:1E08010C:DECODER routines::unsupported`).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const db = dir.file('a.db');
const junk = dir.file('junk.bin');
beforeAll(async () => {
  writeFileSync(junk, Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]));
  expect((await runCli(['demo', '--events', '5', '--db', db])).code).toBe(0);
});
afterAll(() => dir.remove());

it.each([
  [
    'verify --db',
    () => ['verify', '--db', db, '--public-key', junk],
    `--public-key file ${junk} is not a public key`,
  ],
  [
    'verify --db, a missing file',
    () => ['verify', '--db', db, '--public-key', dir.file('nope.pem')],
    `--public-key ${dir.file('nope.pem')} (no such file) is not a public key`,
  ],
  [
    'verify --proof',
    () => {
      const proof = dir.file('p.json');
      writeFileSync(proof, '{"format":"auditlog-proof/v1"}');
      return ['verify', '--proof', proof, '--public-key', junk];
    },
    `--public-key file ${junk} is not a public key`,
  ],
])('%s: exit 2 naming the flag and the file', async (_name, args, message) => {
  const result = await runCli(args());
  expect(result.stderr).toContain(message);
  expect(result.code).toBe(2);
});
