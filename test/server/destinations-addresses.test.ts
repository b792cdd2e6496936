// Where a destination sends is checked before it is stored: NATS servers with a credential (shown in clear in
// every read) are refused naming /servers, a webhook URL with control characters naming /url, a syslog host
// that is no host name or IP address naming /host; an upper-case scheme is taken and stored in lower case.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let receiver: Server;
const urls: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  receiver = createServer((req, res) => {
    urls.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const create = (body: Record<string, unknown>) =>
  server.request('/v1/destinations', { method: 'POST', json: { name: 'D', ...body } });
const refused = async (res: Response, path: string) => {
  expect(res.status, await res.clone().text()).toBe(400);
  const details = (await json(res)).error.details as { path: string; message: string }[];
  expect(details.map((d) => d.path)).toContain(path);
  return details.find((d) => d.path === path)!.message;
};
const nats = { kind: 'nats', subject: 'auditlog.acme' };

describe('destination addresses', () => {
  it('refuses NATS servers with a username, password or token, on create and update', async () => {
    for (const servers of [
      'nats://bob:NATSPASS@127.0.0.1:4222',
      'nats://127.0.0.1:4222, tls://TOKEN42@127.0.0.1:4223',
    ])
      expect(await refused(await create({ ...nats, servers }), '/servers')).toMatch(/credentials/);
    const ok = await create({ ...nats, servers: 'nats://127.0.0.1:4222' });
    expect(ok.status).toBe(201);
    const id = (await json(ok)).destination.id as string;
    const res = await server.request(`/v1/destinations/${id}`, {
      method: 'PATCH',
      json: { servers: 'nats://bob:NATSPASS@127.0.0.1:4222' },
    });
    await refused(res, '/servers');
    expect(await (await server.request('/v1/destinations')).text()).not.toContain('NATSPASS');

    // One stored by an earlier version reads masked.
    const before = await server.log.destinations.find('default', id);
    await server.log.store.destinations.update('default', id, {
      settings: { ...before.settings, servers: 'nats://bob:NATSPASS@127.0.0.1:4222' },
      updatedMs: Date.now(),
    });
    const shown = await json(await server.request(`/v1/destinations/${id}`));
    expect(shown.servers).toBe('nats://********@127.0.0.1:4222');
    expect(await (await server.request('/v1/destinations')).text()).not.toContain('NATSPASS');
  });

  it('refuses control characters in a webhook URL, and takes an upper-case scheme', async () => {
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    for (const url of [`${base}/a\r\nX-Injected: 1`, `${base}/a\tb`, `${base}/\u007f`])
      expect(await refused(await create({ kind: 'webhook', url }), '/url')).toMatch(/control characters/);

    const res = await create({ kind: 'webhook', url: `HTTP://127.0.0.1:${base.split(':')[2]}/Upper` });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = await json(res);
    expect(created.destination.url).toBe(`${base}/Upper`);
    const test = await json(
      await server.request(`/v1/destinations/${created.destination.id}/test`, { method: 'POST' }),
    );
    expect(test).toMatchObject({ delivered: true });
    expect(urls).toContain('/Upper');
  });

  it('refuses a syslog host that is no host name or IP address', async () => {
    const syslog = { kind: 'syslog', port: 6514 };
    for (const host of ['a b', 'bob:pw@logs.example.com', 'logs..example.com', '-x.example.com', 'a/b'])
      expect(await refused(await create({ ...syslog, host }), '/host')).toMatch(/host name or an IP/);
    for (const host of ['127.0.0.1', '::1', 'logs.example.com', 'rsyslog', 'siem-1.internal.'])
      expect((await create({ ...syslog, host })).status).toBe(201);
  });
});
