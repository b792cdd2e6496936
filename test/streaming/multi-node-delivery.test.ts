// Two `auditlog serve` processes on one PostgreSQL database deliver one webhook destination: exactly one node
// holds its lease; when that node is SIGKILLed under load, the other takes the lease over within seconds and
// the receiver gets every acknowledged event (duplicates only by id, as at-least-once allows).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { sampleEvent } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const ADMIN = 'Kq3v_pqHX1945_QbjAGZxMztyIxRQIhB';
const LEASE_MS = 1500;

describePostgres('delivery on several nodes', () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  const nodes = new Map<string, ServerProcess>();

  const startNode = (name: string) =>
    startServerProcess(['--database-url', db.url], {
      AUDITLOG_BOOTSTRAP_TOKEN: ADMIN,
      AUDITLOG_SIGNING_KEY: signingKey,
      AUDITLOG_NODE_ID: name,
      AUDITLOG_DELIVERY_POLL_MS: '100',
      AUDITLOG_DELIVERY_LEASE_MS: String(LEASE_MS),
    });
  const signingKey = generateSigningKey().privatePem;
  const call = (node: ServerProcess, path: string, body?: unknown) =>
    fetch(node.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const leaseOwner = () =>
    withClient(
      db.url,
      async (c) =>
        (await c.query('SELECT lease_owner FROM destinations')).rows[0]?.lease_owner as string | null,
    );

  beforeAll(async () => {
    [db, receiver] = await Promise.all([createTestDatabase(), WebhookReceiver.start()]);
    nodes.set('node-a', await startNode('node-a'));
    nodes.set('node-b', await startNode('node-b'));
  });
  afterAll(async () => {
    for (const n of nodes.values()) await n.kill().catch(() => {});
    await receiver?.close();
    await db?.drop();
  });

  it('one node delivers; another takes over within seconds of a SIGKILL, nothing missing', async () => {
    const res = await call(nodes.get('node-a')!, '/v1/destinations', {
      kind: 'webhook',
      name: 'SIEM',
      url: receiver.url,
      filter: { streams: ['admin'] },
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    receiver.trust(created.secret, created.destination.publicKey);

    const acked = new Set<string>();
    const live = new Set(nodes.keys());
    let batch = 0;
    const load = async (until: () => boolean) => {
      while (!until()) {
        const name = [...live][batch % live.size]!;
        const events = Array.from({ length: 20 }, (_, i) =>
          sampleEvent({ target: { type: 'Carrier', id: `b${batch}-${i}` } }),
        );
        batch++;
        const answer = await call(nodes.get(name)!, '/v1/events', { events }).catch(() => null);
        if (answer?.status === 201) for (const e of (await answer.json()).events) acked.add(e.id);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // Load until the destination has delivered some, then kill whichever node holds the lease.
    await load(() => receiver.entries().length >= 100);
    const owner = await leaseOwner();
    expect(['node-a', 'node-b']).toContain(owner);
    const survivor = owner === 'node-a' ? 'node-b' : 'node-a';
    live.delete(owner!);
    await nodes.get(owner!)!.kill();
    const killedAt = Date.now();
    const takeover = (async () => {
      while ((await leaseOwner()) !== survivor) await new Promise((r) => setTimeout(r, 50));
      return Date.now() - killedAt;
    })();
    await load(() => Date.now() - killedAt > 3 * LEASE_MS && acked.size >= 400);
    await expect
      .poll(() => [...acked].filter((id) => !new Set(receiver.entries().map((e) => e.id)).has(id)).length, {
        timeout: 20_000,
      })
      .toBe(0);
    expect(await leaseOwner()).toBe(survivor);
    // The lease expires LEASE_MS after the dead node's last renewal; the survivor's next poll takes it.
    expect(await takeover).toBeLessThan(LEASE_MS + 3000);
    // In seq order per destination, except where a batch was sent again after the takeover.
    const copies = receiver.entries().length - new Set(receiver.entries().map((e) => e.id)).size;
    expect(copies).toBeLessThanOrEqual(100);
    expect(receiver.rejected).toBe(0);
  });
});
