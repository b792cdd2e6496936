import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());
const TOKEN = 'al_0123456789abcdef0123456789abcdef';

describe('the server log', () => {
  it('names a request by method and path, never its query string (a keyword search may hold a secret)', async () => {
    const server = await startServerProcess(['--db', dir.file('log.db')], {
      AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    try {
      const res = await fetch(`${server.url}/v1/events?q=password%3DS3CR3T-in-a-search&limit=1`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      await expect.poll(() => server.output()).toContain('"url":"/v1/events?…"');
      expect(server.output()).not.toContain('S3CR3T');
    } finally {
      await server.stop();
    }
  });
});
