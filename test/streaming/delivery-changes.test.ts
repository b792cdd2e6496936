// A destination that changes while this node is reading (a secret rotated without overlap) is never
// delivered to under the record from before the change: not by a run whose rows were read across the change,
// nor through a poll that listed the destinations before it. Each race is held open with a gate on the real
// store's read (a real SQLite file, a real webhook receiver verifying signatures), so it happens every time.
import { afterAll, beforeEach, expect, it } from 'vitest';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import type { CreatedDestination } from '../../src/core/services/destinations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Gate } from '../helpers/gate.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const dir = tempDir();
const TENANT = 'acme';
const by: ActingParty = { actor: { id: 'admin', type: 'user' } };
/** The destination's batch size: a number no other reader of the chain asks for. */
const BATCH = 37;
const opened: { log: AuditLog; receiver: WebhookReceiver }[] = [];
afterAll(async () => {
  for (const { log, receiver } of opened) {
    await log.delivery.stop();
    await log.close();
    await receiver.close();
  }
  dir.remove();
});

let scanGate: Gate;
let listGate: Gate;
let log: AuditLog;
let receiver: WebhookReceiver;
let id: string;

beforeEach(async () => {
  scanGate = new Gate();
  listGate = new Gate();
  const store = await SqliteStore.open({ file: dir.file(`${opened.length}.db`) });
  const scan = store.scanChain.bind(store);
  // Only the deliverer's reads wait (they ask for BATCH rows); a destination's status and the Merkle log's
  // catch-up read the chain too.
  store.scanChain = async (...args) => {
    if (args[2] === BATCH) await scanGate.pass();
    return scan(...args);
  };
  const list = store.destinations.list.bind(store.destinations);
  store.destinations.list = async (...args) => {
    const rows = await list(...args); // read before the gate: what the poll holds is the list of that moment
    await listGate.pass();
    return rows;
  };
  log = await openAuditLog({ store });
  receiver = await WebhookReceiver.start();
  opened.push({ log, receiver });
  const created = await log.destinations.create(
    TENANT,
    { kind: 'webhook', name: 'SIEM', url: receiver.url, filter: { streams: ['admin'] }, batchSize: BATCH },
    by,
  );
  id = created.destination.id;
  receiver.trust(created.secret!, created.destination.publicKey!);
  log.delivery.start({
    pollMs: 50,
    leaseMs: 60_000,
    retry: { baseDelayMs: 20, maxDelayMs: 50, maxFailures: 1000 },
  });
  await record('before');
  await expect.poll(() => delivered('before')).toBe(true);
});

const record = (label: string) =>
  log.appendEvents(TENANT, sampleEvent({ target: { type: 'Carrier', id: label } }));
const delivered = (label: string) =>
  receiver.entries().some((e) => (e.target as { id?: string } | undefined)?.id === label);

/** After the rotation: the old keys no longer verify; trusting the new ones, `label` arrives. */
async function refusedThenDelivered(label: string, rotated: CreatedDestination) {
  await expect.poll(() => receiver.rejected).toBeGreaterThan(0);
  expect(delivered(label)).toBe(false);
  receiver.trust(rotated.secret!, rotated.destination.publicKey!);
  await expect.poll(() => delivered(label)).toBe(true);
}

it('a run whose rows were read across a rotation sends none of them with the old keys', async () => {
  scanGate.close();
  await record('read-across');
  await expect.poll(() => scanGate.waiting).toBeGreaterThan(0); // the run holds its scan open
  const rotated = await log.destinations.rotateSecret(TENANT, id, { overlapSeconds: 0 }, by);
  await record('after-rotation');
  scanGate.open(); // the scan now reads both events, and the rotation's own record between them
  await refusedThenDelivered('after-rotation', rotated);
  expect(delivered('read-across')).toBe(true);
});

it('a poll that listed the destinations before a rotation does not hand back the old record', async () => {
  listGate.close();
  await expect.poll(() => listGate.waiting).toBeGreaterThan(0); // a poll holds the list from before
  const rotated = await log.destinations.rotateSecret(TENANT, id, { overlapSeconds: 0 }, by);
  listGate.open();
  listGate.close(); // the poll that follows the change waits too: only the stale one goes on
  await expect.poll(() => listGate.waiting).toBeGreaterThan(0);
  await record('after-rotation');
  await new Promise((r) => setTimeout(r, 200)); // time for a run, had the stale record come back
  listGate.open();
  await refusedThenDelivered('after-rotation', rotated);
});
