// `auditlog destination …` on a SQLite file: create prints the destination and its secret once, test-send
// reaches a real receiver, pause/list/resume, bad flags exit 2 naming the field; and `auditlog serve`
// delivers what the CLI configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const dir = tempDir();
const db = dir.file('destinations.db');
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

const cli = (...args: string[]) => runCli(['destination', ...args, '--tenant', 'acme', '--db', db]);

describe('auditlog destination', () => {
  let id: string;

  it('creates a webhook, printing its secret once, and test-sends to the receiver', async () => {
    const created = await cli(
      'create',
      '--kind',
      'webhook',
      '--name',
      'SIEM',
      '--url',
      receiver.url,
      '--streams',
      'admin',
    );
    expect(created.code, created.stderr).toBe(0);
    const d = JSON.parse(created.stdout);
    expect(d).toMatchObject({
      kind: 'webhook',
      name: 'SIEM',
      filter: { streams: ['admin'] },
      state: 'active',
    });
    const secret = /signing secret \(shown only this once\): (whsec_\S+)/.exec(created.stderr)?.[1];
    expect(secret).toBeDefined();
    expect(created.stdout).not.toContain(secret!.slice(6));
    receiver.trust(secret!, d.publicKey);
    id = d.id;
    const tested = await cli('test', id);
    expect(tested.code, tested.stderr).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ delivered: true });
    expect(receiver.entries().map((e) => e.eventType)).toEqual(['auditlog.destination_test']);
  });

  it('rotates the secret without an overlap: printed once, and the receiver needs the new one', async () => {
    const rotated = await cli('rotate-secret', id, '--overlap-seconds', '0');
    expect(rotated.code, rotated.stderr).toBe(0);
    const d = JSON.parse(rotated.stdout);
    const secret = /signing secret \(shown only this once\): (whsec_\S+)/.exec(rotated.stderr)?.[1];
    expect(secret).toBeDefined();
    expect(rotated.stdout).not.toContain(secret!.slice(6));
    const refused = await cli('test', id);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ delivered: false });
    receiver.trust(secret!, d.publicKey);
    expect((await cli('test', id)).code).toBe(0);
    expect((await cli('rotate-secret', id, '--overlap-seconds', '-5')).code).toBe(2);
  });

  it('pauses, lists, and refuses bad settings with exit 2', async () => {
    expect((await cli('pause', id)).code).toBe(0);
    const listed = JSON.parse((await cli('list')).stdout);
    expect(listed).toMatchObject([{ id, state: 'paused' }]);
    const bad = await cli('create', '--kind', 'syslog', '--name', 'x', '--host', 'h', '--port', 'abc');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('auditlog: The destination is not valid');
    expect((await cli('show', 'no-such-id')).code).toBe(2);
  });

  it('is delivered by auditlog serve once resumed', async () => {
    expect((await cli('resume', id)).code).toBe(0);
    const server = await startServerProcess(['--db', db], { AUDITLOG_DELIVERY_POLL_MS: '100' });
    try {
      // A token of tenant acme, stored through the CLI's own store access.
      const made = await runCli(['token', 'create', '--tenant', 'acme', '--scopes', 'ingest', '--db', db]);
      expect(made.code, made.stderr).toBe(0);
      const res = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${made.stdout.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          actor: { id: 'u1' },
          action: 'update',
          category: 'telephony',
          target: { type: 'Carrier', id: 'from-cli-test' },
        }),
      });
      expect(res.status).toBe(201);
      await expect
        .poll(() => receiver.entries().some((e) => (e.target as { id?: string })?.id === 'from-cli-test'), {
          timeout: 15_000,
        })
        .toBe(true);
    } finally {
      await server.stop();
    }
  });
});
