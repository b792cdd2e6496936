// `auditlog witness` against a real server: it accepts a checkpoint only when the log extends the last one it
// accepted, cosigns it (the server then shows the cosignature), and refuses a fork or a shrinking tree.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let token: string;
const dir = tempDir();
const state = dir.file('witness-state.json');
const append = async (n: number, from: number) =>
  expect(
    (
      await server.request('/v1/events', {
        method: 'POST',
        json: { events: Array.from({ length: n }, (_, i) => sampleEvent({ id: `w-${from + i}` })) },
      })
    ).status,
  ).toBe(201);
const sizeNow = async (): Promise<number> =>
  (await json(await server.request('/v1/integrity/merkle/checkpoint'))).treeSize;
const witness = () =>
  runCli([
    'witness',
    '--url',
    server.url,
    '--token',
    token,
    '--log-key',
    server.log.checkpoints.publicKeyPem,
    '--key',
    dir.file('witness.pem'),
    '--name',
    'witness.test',
    '--state',
    state,
  ]);

beforeAll(async () => {
  server = await startTestServer();
  token = await server.token('default', ['read', 'ingest'], 'witness');
  await append(5, 0);
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

describe('auditlog witness', () => {
  it('accepts the first checkpoint and then one that extends it, cosigning each', async () => {
    const a = await sizeNow(); // the events, and the self-audit record of the token's creation
    const first = await witness();
    expect([first.code, first.stdout]).toEqual([
      0,
      expect.stringContaining(`at size ${a} (first checkpoint seen)`),
    ]);
    await append(7, 5);
    const b = await sizeNow();
    expect(b).toBe(a + 7);
    const second = await witness();
    expect([second.code, second.stdout]).toEqual([
      0,
      expect.stringContaining(`at size ${b} (extends size ${a})`),
    ]);
    const shown = await json(await server.request('/v1/integrity/merkle/checkpoint'));
    expect(shown.cosignatures).toMatchObject([{ treeSize: b, witness: 'witness.test' }]);
    expect(JSON.parse(readFileSync(state, 'utf8'))['auditlog/default']).toMatchObject({ size: b });
  });

  it('refuses a fork (same size, another root) and a tree that shrank, keeping its state', async () => {
    const kept = JSON.parse(readFileSync(state, 'utf8'));
    const size = kept['auditlog/default'].size;
    const forked = { ...kept['auditlog/default'], rootHash: Buffer.alloc(32, 9).toString('base64') };
    writeFileSync(state, JSON.stringify({ 'auditlog/default': forked }));
    const fork = await witness();
    expect([fork.code, fork.stdout]).toEqual([
      1,
      expect.stringContaining(`fork: two different trees of size ${size}`),
    ]);
    writeFileSync(state, JSON.stringify({ 'auditlog/default': { ...forked, size: 50 } }));
    const shrink = await witness();
    expect([shrink.code, shrink.stdout]).toEqual([1, expect.stringContaining(`shrank from 50 to ${size}`)]);
    expect(JSON.parse(readFileSync(state, 'utf8'))['auditlog/default'].size).toBe(50);
  });
});
