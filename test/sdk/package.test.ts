// The SDK's published package stands alone: it carries the server's rule modules it compiles (not copies in
// git) and the server's schemas as JSON, and needs nothing but its declared dependencies — installed from
// its tarball where no schema library or server source can be found, it refuses a bad event at record().
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthEventInput } from '../../src/core/domain/schemas/auth-event-schema.js';
import { EVENT_TYPE_MAX_LENGTH, EventInput, LIMITS } from '../../src/core/domain/schemas/event-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const sdk = fileURLToPath(new URL('../../packages/sdk/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const REBUILD = 'the built SDK is stale: npm run build:sdk';

describe("the SDK's published package", () => {
  const dir = tempDir('auditlog-sdk-package-');
  afterAll(() => dir.remove());

  it("holds the server's schemas as they are now", async () => {
    const built = await import(join(sdk, 'dist/packages/sdk/src/rules/schemas.js'));
    const json = (x: unknown) => JSON.parse(JSON.stringify(x));
    expect(built.EVENT_SCHEMA, REBUILD).toEqual(json(EventInput));
    expect(built.AUTH_EVENT_SCHEMA, REBUILD).toEqual(json(AuthEventInput));
    expect(built.LIMITS, REBUILD).toEqual(LIMITS);
    expect(built.EVENT_TYPE_MAX_LENGTH, REBUILD).toBe(EVENT_TYPE_MAX_LENGTH);
  });

  it('installs from its tarball and refuses a bad event with only its own dependencies', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir.path], { cwd: sdk, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toContain('dist/src/core/domain/inspect-json.js');
    expect(paths.filter((p) => p.includes('/schemas/'))).toEqual([]);
    expect(paths.filter((p) => !p.startsWith('dist/'))).toEqual(['README.md', 'package.json']);

    const modules = dir.file('app/node_modules');
    mkdirSync(join(modules, '@auditlog/sdk'), { recursive: true });
    mkdirSync(join(modules, '@fastify'));
    execFileSync('tar', [
      '-xzf',
      dir.file(packed!.filename),
      '-C',
      join(modules, '@auditlog/sdk'),
      '--strip-components=1',
    ]);
    const { dependencies } = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));
    for (const name of Object.keys(dependencies))
      symlinkSync(join(root, 'node_modules', name), join(modules, name));

    writeFileSync(
      dir.file('app/check.mjs'),
      `import { AuditClient, InvalidEventError } from '@auditlog/sdk';
const client = await AuditClient.open({ url: 'http://127.0.0.1:9', token: 't', spoolDir: 'spool' });
const event = { actor: { id: 'u1' }, action: 'update', category: 'c', target: { type: 'Carrier', id: 'c1' } };
const refused = (e) => client.record(e).then(() => 'recorded', (error) => (error instanceof InvalidEventError ? error.details : String(error)));
console.log(JSON.stringify([await refused({ ...event, target: { type: 'Carrier', id: '..' } }), await refused(event)]));
await client.close({ flushTimeoutMs: 0 });
`,
    );
    const out = execFileSync(process.execPath, ['check.mjs'], { cwd: dir.file('app'), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      [{ path: '/target/id', message: expect.stringMatching(/\.\./) }],
      'recorded',
    ]);
  });
});
