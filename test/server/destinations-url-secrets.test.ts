// A webhook URL's masked query credential (`?api_key=********`) keeps the stored value only while the URL still
// sends to the same address (scheme, host, port, path): sent to another host — or with nothing stored to keep —
// it is a 400 naming /url, and no receiver other than the first ever sees the credential.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

/** A plain HTTP receiver that answers 204 and keeps the URL of every request. */
async function urlRecorder(): Promise<{ server: Server; base: string; urls: string[] }> {
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls };
}

let server: TestServer;
let vendor: Awaited<ReturnType<typeof urlRecorder>>;
let attacker: Awaited<ReturnType<typeof urlRecorder>>;

beforeAll(async () => {
  [server, vendor, attacker] = await Promise.all([startTestServer(), urlRecorder(), urlRecorder()]);
});
afterAll(async () => {
  await server?.close();
  for (const r of [vendor, attacker]) await new Promise((resolve) => r?.server.close(resolve));
});

const patch = (id: string, body: unknown) =>
  server.request(`/v1/destinations/${id}`, { method: 'PATCH', json: body });
const stored = async (id: string) => (await server.log.destinations.find('default', id)).settings.url;
const badUrl = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(400);
  const body = await json(res);
  expect(body.error.details.map((d: { path: string }) => d.path)).toContain('/url');
  return body.error.details.find((d: { path: string }) => d.path === '/url').message as string;
};

describe('masked URL credentials', () => {
  it('are kept only for the same address, and never follow the URL to another host', async () => {
    const url = `${vendor.base}/hook?api_key=VENDORKEY42`;
    const created = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'Vendor', url },
    });
    expect(created.status).toBe(201);
    const id = (await json(created)).destination.id as string;
    // Paused: only the test sends below reach a receiver.
    expect((await server.request(`/v1/destinations/${id}/pause`, { method: 'POST' })).status).toBe(200);

    const moved = [
      `${attacker.base}/attacker?api_key=********`, // another host and port
      `${attacker.base}/hook?api_key=********`, // another port, same path
      `${vendor.base}/other?api_key=********`, // same origin, another path
      `${vendor.base.replace('http:', 'https:')}/hook?api_key=********`, // another scheme
    ];
    for (const next of moved)
      expect(await badUrl(await patch(id, { url: next }))).toMatch(/send the value again/);
    expect(await stored(id)).toBe(url);

    const test = await json(await server.request(`/v1/destinations/${id}/test`, { method: 'POST' }));
    expect(test.delivered).toBe(true);
    expect(vendor.urls).toEqual(['/hook?api_key=VENDORKEY42']);
    expect(attacker.urls).toEqual([]);

    // The same address keeps the value (an edit form sending back what it was shown).
    expect((await patch(id, { url: `${vendor.base}/hook?api_key=********`, name: 'Vendor 2' })).status).toBe(
      200,
    );
    expect(await stored(id)).toBe(url);
    // A new host with the value given anew is fine.
    expect((await patch(id, { url: `${attacker.base}/new?api_key=NEWKEY` })).status).toBe(200);
    await server.request(`/v1/destinations/${id}/test`, { method: 'POST' });
    expect(attacker.urls).toEqual(['/new?api_key=NEWKEY']);
  });

  it('refuse a mask with nothing stored to keep, on update and on create', async () => {
    const created = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'No token', url: `${vendor.base}/hook?api_key=K1` },
    });
    const id = (await json(created)).destination.id as string;
    const msg = await badUrl(await patch(id, { url: `${vendor.base}/hook?api_key=********&token=********` }));
    expect(msg).toMatch(/token.*no value is stored/);
    expect(await stored(id)).toBe(`${vendor.base}/hook?api_key=K1`);
    const create = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'Masked', url: `${vendor.base}/hook?token=********` },
    });
    expect(await badUrl(create)).toMatch(/no value is stored/);
  });

  it('mask the credentials only URLs name as such (pre-signed, Azure Functions) in reads and audit records', async () => {
    const url = `${vendor.base}/fn?X-Amz-Signature=SIGVALUE123&code=FUNCKEY9&sig=SASSIG7&region=eu`;
    const created = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'Pre-signed', url },
    });
    expect(created.status).toBe(201);
    const id = (await json(created)).destination.id as string;
    expect((await server.request(`/v1/destinations/${id}/pause`, { method: 'POST' })).status).toBe(200);
    const masked = `${vendor.base}/fn?X-Amz-Signature=********&code=********&sig=********&region=eu`;
    expect((await json(await server.request(`/v1/destinations/${id}`))).url).toBe(masked);
    // Sent back as shown, the values stay; the receiver gets them.
    expect((await patch(id, { url: masked, name: 'Pre-signed 2' })).status).toBe(200);
    expect(await stored(id)).toBe(url);
    vendor.urls.length = 0;
    await server.request(`/v1/destinations/${id}/test`, { method: 'POST' });
    expect(vendor.urls).toEqual(['/fn?X-Amz-Signature=SIGVALUE123&code=FUNCKEY9&sig=SASSIG7&region=eu']);
    // The audit records of the create, pause and rename hold none of them.
    const records = await (
      await server.request(`/v1/events?targetId=${encodeURIComponent(id)}&limit=50`)
    ).text();
    expect(records).toContain('auditlog.destination_created');
    for (const secret of ['SIGVALUE123', 'FUNCKEY9', 'SASSIG7']) expect(records).not.toContain(secret);
    expect(records).toContain('region=eu');
  });
});
