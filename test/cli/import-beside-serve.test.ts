// `auditlog import` into the SQLite file a running `serve` writes: two writer processes on one file. Each
// kept its tenant's open keyword chunk in memory, so one of them wrote a chunk the other had written —
// `UNIQUE constraint failed: event_search_chunks.lo` — failing the import (exit 3) or every API batch (503)
// for as long as the import ran. Both now commit, and every event of either side is found by keyword.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());
const TOKEN = 'al_0123456789abcdef0123456789abcdef';

const event = (id: string) => sampleEvent({ id, target: { type: 'Queue', id }, reason: `kw${id}kw` });

describe('auditlog import beside a running server', () => {
  it('both writers commit, the chain verifies and every event is found by keyword', async () => {
    const db = dir.file('shared.db');
    const file = dir.file('import.ndjson');
    const IMPORTED = 3000;
    writeFileSync(
      file,
      `${Array.from({ length: IMPORTED }, (_, i) => JSON.stringify(event(`imp${i}`))).join('\n')}\n`,
    );
    const server = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = (events: unknown[]) =>
      fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ events }) });
    try {
      // Odd batch sizes, so that the two writers' chunk boundaries fall anywhere.
      expect((await post(Array.from({ length: 77 }, (_, i) => event(`pre${i}`)))).status).toBe(201);
      const importing = runCli(['import', file, '--db', db]);
      let done = false;
      void importing.then(() => {
        done = true;
      });
      const statuses: number[] = [];
      let posted = 0;
      // Posts until the import has ended (and at least 30 batches), each batch 37 events.
      while (!done || statuses.length < 30) {
        const res = await post(Array.from({ length: 37 }, (_, i) => event(`api${posted + i}`)));
        statuses.push(res.status);
        if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
        posted += 37;
      }
      const imported = await importing;
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain(`import: ${IMPORTED} events stored`);
      expect(new Set(statuses)).toEqual(new Set([201]));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const find = async (id: string) =>
        (await (await fetch(`${server.url}/v1/events?q=kw${id}kw`, { headers })).json()).events.map(
          (e: { id: string }) => e.id,
        );
      for (const id of ['pre0', 'pre76', 'imp0', 'imp1500', `imp${IMPORTED - 1}`, 'api0', `api${posted - 1}`])
        expect(await find(id)).toEqual([id]);
      // One more batch after the import: the server's writer reads the chunk state the import left.
      expect((await post(Array.from({ length: 200 }, (_, i) => event(`post${i}`)))).status).toBe(201);
      expect(await find('post199')).toEqual(['post199']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const verified = await runCli(['verify', '--db', db]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });
});
