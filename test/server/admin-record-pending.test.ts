// A change whose audit record cannot be appended right after it committed (the events table refuses inserts,
// as a failing database would) is made, and answered as made: its record is kept pending with it and
// appended once the store takes appends again: by the process's own retries, or by the next administrative
// change (docs/api.md).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pendingRecord, securityEvent } from '../../src/core/services/self-audit.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const reported: unknown[] = [];

beforeAll(async () => {
  server = await startTestServer({ onSelfAuditPending: (error) => reported.push(error) });
});
afterAll(async () => server?.close());

async function exec(sql: string): Promise<void> {
  if (server.storeKind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(server.dbFile);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  } else {
    const { withClient } = await import('../helpers/postgres.js');
    await withClient(server.databaseUrl!, (c) => c.query(sql));
  }
}

const refuseEvents = () =>
  exec(
    server.storeKind === 'sqlite'
      ? "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'events refused'); END"
      : `CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'events refused'; END $$;
         CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_events()`,
  );
const acceptEvents = () =>
  exec(
    server.storeKind === 'sqlite'
      ? 'DROP TRIGGER refuse_events'
      : 'DROP TRIGGER refuse_events ON events; DROP FUNCTION refuse_events()',
  );

const recordsOf = async (tenant: string, eventType: string) =>
  (await server.log.listEvents(tenant, { eventType })).events;

it('a change whose record cannot be appended yet is answered as made; the next change appends its record', async () => {
  await refuseEvents();
  let id: string;
  try {
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'pending-t', scopes: ['read'], name: 'made while events were refused' },
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    id = body.id;
    expect(typeof body.token).toBe('string');
    const listed = await json(await server.request('/v1/tokens?tenant=pending-t'));
    expect(listed.tokens.map((t: { id: string }) => t.id)).toEqual([id]);
    expect(await recordsOf('pending-t', 'auditlog.token_created')).toEqual([]);
    const pending = await server.log.store.outbox.pending(10);
    expect(pending.map((p) => [p.tenant, p.event.eventType])).toEqual([
      ['pending-t', 'auditlog.token_created'],
    ]);
    expect(reported.length).toBeGreaterThan(0);
  } finally {
    await acceptEvents();
  }
  const hold = await server.request('/v1/legal-holds', { method: 'POST', json: { reason: 'audit' } });
  expect(hold.status).toBe(201);
  const [record, ...more] = await recordsOf('pending-t', 'auditlog.token_created');
  expect(more).toEqual([]);
  expect(record?.target).toEqual({ type: 'Token', id, name: 'made while events were refused' });
  expect(await recordsOf('default', 'auditlog.legal_hold_created')).toHaveLength(1);
  expect(await server.log.store.outbox.pending(10)).toEqual([]);
});

it('a server with no further change appends a pending record once the store takes appends again (its retries)', async () => {
  reported.length = 0;
  await refuseEvents();
  try {
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'pending-retry', scopes: ['read'], name: 'made just before a failure' },
    });
    expect(res.status).toBe(201);
    // Still refused: the first retry (after 1 s) fails too and is reported; the record stays pending.
    await expect.poll(() => reported.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await recordsOf('pending-retry', 'auditlog.token_created')).toEqual([]);
  } finally {
    await acceptEvents();
  }
  // The next retry (2 s after the last) appends it, no further change made.
  await expect
    .poll(async () => (await recordsOf('pending-retry', 'auditlog.token_created')).length, {
      timeout: 10_000,
    })
    .toBe(1);
  expect(await server.log.store.outbox.pending(10)).toEqual([]);
});

it('a pending record left by a process that died is appended by a polling schedule (outbox.start, for embedders)', async () => {
  // Written with its change, as by a process that died before its append: no run of this one failed, so none retries.
  const by = { actor: { id: 'cli:ops', username: 'ops', type: 'system' as const } };
  const policy = { tenant: 'pending-timer', stream: 'event' as const, category: null, maxAgeDays: 30 };
  const target = { type: 'RetentionPolicy', id: 'event' };
  const event = securityEvent(by, 'update', 'auditlog.retention_policy_set', target, { newValue: policy });
  await server.log.store.lifecycle.putPolicy(
    { ...policy, updatedMs: Date.now() },
    pendingRecord('pending-timer', event, Date.now()),
  );
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await recordsOf('pending-timer', 'auditlog.retention_policy_set')).toEqual([]);
  server.log.outbox.start(100);
  try {
    await expect
      .poll(async () => (await recordsOf('pending-timer', 'auditlog.retention_policy_set')).length, {
        timeout: 10_000,
      })
      .toBe(1);
    expect(await server.log.store.outbox.pending(10)).toEqual([]);
  } finally {
    await server.log.outbox.stop();
  }
});
