// SIGTERM ends `serve` as soon as no request is in flight, also while clients hold connections that carry
// none: one opened and never used (as browsers open them ahead of need) and an idle keep-alive one. Node's
// closeIdleConnections left the unused one open, and the shutdown waited for serve's 10 s cut-off.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'Yx4k-idle-shutdown-token-0123456789';
const dir = tempDir();
let server: ServerProcess | undefined;
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.kill().catch(() => {});
  dir.remove();
});

it('ends within a few seconds of SIGTERM while a client holds an unused and an idle keep-alive connection', async () => {
  server = await startServerProcess(['--db', join(dir.path, 'auditlog.db')], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
  });
  const { port } = new URL(server.url);
  const unused = connect(Number(port), '127.0.0.1');
  sockets.push(unused);
  await new Promise((resolve, reject) => unused.once('connect', resolve).once('error', reject));
  // A keep-alive connection that answered one request and waits for the next.
  const keptAlive = connect(Number(port), '127.0.0.1');
  sockets.push(keptAlive);
  const answer = await new Promise<string>((resolve, reject) => {
    let text = '';
    keptAlive.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n\r\n') && /"status"/.test(text)) resolve(text);
    });
    keptAlive.once('error', reject);
    keptAlive.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 200/);
  const at = Date.now();
  const code = await server.stop();
  const tookMs = Date.now() - at;
  expect(code).toBe(0);
  expect(tookMs, `exit after ${tookMs} ms`).toBeLessThan(8_000);
  server = undefined;
});
