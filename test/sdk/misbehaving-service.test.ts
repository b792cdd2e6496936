// Real HTTP servers that are not a well-behaved audit service: one that holds every request, one at a wrong
// URL that answers 200. close() keeps its time bound, and no event is dead-lettered for the server's fault.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditClient, type RetryInfo } from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { adminEvent, freePort } from './sdk-helpers.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('an audit service that misbehaves', () => {
  const dir = tempDir('auditlog-sdk-misbehaving-');
  afterAll(() => dir.remove());

  it('close({ flushTimeoutMs }) returns in about that time while a request hangs; the event stays spooled', async () => {
    let requests = 0;
    const slow = await serve((req) => {
      requests++;
      req.resume(); // read the body, never answer
    });
    const spoolDir = dir.file('slow');
    try {
      const client = await AuditClient.open({
        url: slow.url,
        token: 't',
        spoolDir,
        requestTimeoutMs: 10_000,
      });
      await client.record(adminEvent(1));
      await until(() => requests > 0);
      const started = Date.now();
      await client.close({ flushTimeoutMs: 1000 });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(2500);
    } finally {
      await slow.close();
    }
    // The next client on the directory still has the event to send.
    const next = await AuditClient.open({
      url: `http://127.0.0.1:${await freePort()}`,
      token: 't',
      spoolDir,
    });
    expect(next.pendingBytes).toBeGreaterThan(0);
    await next.close({ flushTimeoutMs: 0 });
  });

  it('close({ flushTimeoutMs: 0 }) does not wait for a hanging request at all', async () => {
    let requests = 0;
    const slow = await serve((req) => {
      requests++;
      req.resume();
    });
    try {
      const client = await AuditClient.open({ url: slow.url, token: 't', spoolDir: dir.file('slow0') });
      await client.record(adminEvent(1));
      await until(() => requests > 0);
      const started = Date.now();
      await client.close({ flushTimeoutMs: 0 });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await slow.close();
    }
  });

  for (const [name, status, body] of [
    ['200 {"ok":true}', 200, '{"ok":true}'],
    ['204', 204, ''],
    ['201 without the stored events', 201, '{"ok":true}'],
  ] as const) {
    it(`retries an answer that is not the service's (${name}), reports it, and dead-letters nothing`, async () => {
      const wrong = await serve((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
      });
      const spoolDir = dir.file(`wrong-${status}-${body.length}`);
      const retries: RetryInfo[] = [];
      const letters: unknown[] = [];
      try {
        const client = await AuditClient.open({
          url: wrong.url,
          token: 't',
          spoolDir,
          initialRetryDelayMs: 20,
          maxRetryDelayMs: 50,
          onRetry: (info) => retries.push(info),
          onDeadLetter: (letter) => letters.push(letter),
        });
        await client.record(adminEvent(1));
        await until(() => retries.length >= 3);
        expect(retries[0]!.status).toBe(status);
        expect(retries[0]!.reason).toMatch(/not the audit service's answer/);
        expect(letters).toEqual([]);
        expect(existsSync(join(spoolDir, 'dead-letters.ndjson'))).toBe(false);
        expect(client.pendingBytes).toBeGreaterThan(0);
        await client.close({ flushTimeoutMs: 0 });
      } finally {
        await wrong.close();
      }
    });
  }
});
