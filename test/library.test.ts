import { afterAll, describe, expect, it } from 'vitest';
// The package's entry point (package.json "main"), as a platform embedding the library imports it.
import { AuditError, buildServer, createMetrics, openAuditLog, SqliteStore } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';
import { sampleEvent } from './helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('the library entry point', () => {
  it('opens a log over a store, appends, reads back, and serves it over HTTP', async () => {
    const log = await openAuditLog({ store: await SqliteStore.open({ file: dir.file('lib.db') }) });
    try {
      const [appended] = await log.appendEvents('acme', sampleEvent({ id: 'lib-1' }));
      expect(appended).toMatchObject({ id: 'lib-1', seq: 1, duplicate: false });
      expect((await log.getEvent('acme', 'lib-1')).target).toEqual({
        type: 'Carrier',
        id: 'trunk-provider-1',
      });
      await expect(log.getEvent('other', 'lib-1')).rejects.toBeInstanceOf(AuditError);
      const app = await buildServer({ log, metrics: createMetrics() });
      const res = await app.inject({ method: 'GET', url: '/v1/events' });
      expect(res.statusCode).toBe(401);
      await app.close();
    } finally {
      await log.close();
    }
  });
});
