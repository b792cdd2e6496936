import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const TOKEN = 'xB3CVP2sunUJvWxzrZ72xEf_V27lGxx6';
const dir = tempDir();
const db = dir.file('crash.db');
afterAll(() => dir.remove());

interface Batch {
  ids: string[];
  acknowledged: boolean;
}

/** Several clients post batches and single events until the server dies under them. */
async function load(
  server: ServerProcess,
  cycle: number,
  stop: () => boolean,
  batches: Batch[],
): Promise<Batch[]> {
  let n = 0;
  const client = async (c: number) => {
    while (!stop()) {
      const size = c % 2 === 0 ? 1 : 40;
      const batch: Batch = {
        ids: Array.from({ length: size }, () => `c${cycle}-w${c}-${n++}`),
        acknowledged: false,
      };
      batches.push(batch);
      const body =
        size === 1
          ? sampleEvent({ id: batch.ids[0] })
          : { events: batch.ids.map((id) => sampleEvent({ id })) };
      try {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.status === 201) batch.acknowledged = true;
        else await res.text();
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
  return batches;
}

async function storedIds(server: ServerProcess): Promise<string[]> {
  const res = await fetch(`${server.url}/v1/export?format=ndjson`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.id !== undefined && l.category === 'telephony')
    .map((l) => l.id as string);
}

describe('durability under SIGKILL', () => {
  it('keeps every acknowledged event, never half a batch, and a chain that verifies — three crashes in a row', async () => {
    const all: Batch[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const server = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: TOKEN });
      let killed = false;
      const batches: Batch[] = [];
      const running = load(server, cycle, () => killed, batches);
      // Kill mid-load: once a fair number of writes were acknowledged (however slow the machine is).
      const target = 30 + cycle * 20;
      for (let i = 0; i < 300 && batches.filter((b) => b.acknowledged).length < target; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await server.kill();
      killed = true;
      all.push(...(await running));

      const restarted = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: TOKEN });
      const stored = await storedIds(restarted);
      await restarted.stop();
      const present = new Set(stored);
      expect(stored.length, 'no event stored twice').toBe(present.size);
      const acknowledged = all.filter((b) => b.acknowledged);
      expect(acknowledged.length).toBeGreaterThan(10);
      const lost = acknowledged.flatMap((b) => b.ids.filter((id) => !present.has(id)));
      expect(lost, 'acknowledged events missing after the crash').toEqual([]);
      const half = all.filter((b) => {
        const kept = b.ids.filter((id) => present.has(id)).length;
        return kept !== 0 && kept !== b.ids.length;
      });
      expect(
        half.map((b) => b.ids[0]),
        'batches stored in part',
      ).toEqual([]);
      const known = new Set(all.flatMap((b) => b.ids));
      expect(stored.filter((id) => !known.has(id))).toEqual([]);

      const verify = await runCli(['verify', '--db', db]);
      expect(verify.stdout).toMatch(/^OK /);
      expect(verify.code).toBe(0);
    }
  });
});
