// Two nodes on one PostgreSQL database: a secret rotated without overlap on node B takes effect on node A,
// which holds the destination's lease and is in the middle of a delivery run. A's run had read its rows across
// the change (its read held open by a gate on the real store), and A learns of the change only from its own
// poll: it sends none of those rows with the old keys.
import { afterAll, expect, it } from 'vitest';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { Gate } from '../helpers/gate.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const dir = tempDir();
const TENANT = 'acme';
const by: ActingParty = { actor: { id: 'admin', type: 'user' } };
/** A's delivery reads BATCH rows at a time: no other reader of the chain asks for that many. */
const BATCH = 41;
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  dir.remove();
});

describePostgres('delivery on two nodes', () => {
  it('a change made on another node stops the delivering node from sending under the old record', async () => {
    const db: TestDatabase = await createTestDatabase();
    cleanup.push(() => db.drop());
    const gate = new Gate();
    const storeA = await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') });
    const scan = storeA.scanChain.bind(storeA);
    storeA.scanChain = async (...args) => {
      if (args[2] === BATCH) await gate.pass();
      return scan(...args);
    };
    const a: AuditLog = await openAuditLog({ store: storeA });
    const b: AuditLog = await openAuditLog({
      store: await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') }),
    });
    const receiver = await WebhookReceiver.start();
    cleanup.push(
      () => b.close(),
      async () => {
        await a.delivery.stop();
        await a.close();
      },
      () => receiver.close(),
    );
    const created = await b.destinations.create(
      TENANT,
      { kind: 'webhook', name: 'SIEM', url: receiver.url, filter: { streams: ['admin'] }, batchSize: BATCH },
      by,
    );
    receiver.trust(created.secret!, created.destination.publicKey!);
    a.delivery.start({
      nodeId: 'a',
      pollMs: 50,
      leaseMs: 60_000,
      retry: { baseDelayMs: 20, maxDelayMs: 50, maxFailures: 1000 },
    });
    const record = (log: AuditLog, label: string) =>
      log.appendEvents(TENANT, sampleEvent({ target: { type: 'Carrier', id: label } }));
    const delivered = (label: string) =>
      receiver.entries().some((e) => (e.target as { id?: string } | undefined)?.id === label);
    await record(a, 'before');
    await expect.poll(() => delivered('before')).toBe(true);

    gate.close();
    await record(a, 'read-across');
    await expect.poll(() => gate.waiting).toBeGreaterThan(0); // A's run holds its read open
    const rotated = await b.destinations.rotateSecret(
      TENANT,
      created.destination.id,
      { overlapSeconds: 0 },
      by,
    );
    await record(b, 'after-rotation');
    await new Promise((r) => setTimeout(r, 300)); // several of A's polls
    gate.open();

    await expect.poll(() => receiver.rejected).toBeGreaterThan(0);
    expect(delivered('after-rotation')).toBe(false);
    receiver.trust(rotated.secret!, rotated.destination.publicKey!);
    await expect.poll(() => delivered('after-rotation')).toBe(true);
    expect(delivered('read-across')).toBe(true);
  });
});
