import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteReaderPool } from '../../src/store/sqlite/sqlite-reader-pool.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

// The statistics reader is started by the first statistic, not with the server: an idle thread is ~10 MB
// of resident memory (BENCHMARKS.md, "Export memory").
const dir = tempDir();
const file = dir.file('readers.db');

beforeAll(async () => {
  const store = await SqliteStore.open({ file });
  const log = await openAuditLog({ store });
  const events = Array.from({ length: 30 }, (_, i) =>
    sampleEvent({ id: `r-${i}`, category: i % 3 === 0 ? 'users' : 'telephony' }),
  );
  await log.appendEvents('default', { events });
  await log.close();
});
afterAll(() => dir.remove());

describe('SQLite reader threads', () => {
  it('start the statistics reader with the first statistic, once, and answer it like the store', async () => {
    const pool = await SqliteReaderPool.start(file, 2, true);
    try {
      expect(pool.threads).toBe(2);
      await pool.run('listEvents', 'default', {}, { order: 'asc', limit: 5 });
      expect(pool.threads).toBe(2);
      const [a, b] = await Promise.all([
        pool.run('eventStats', 'default', {}, 'category'),
        pool.run('eventStats', 'default', {}, 'category'),
      ]);
      expect(pool.threads).toBe(3);
      const counts = Object.fromEntries(a.map((g) => [g.key, g.count]));
      expect(counts).toEqual({ users: 10, telephony: 20 });
      expect(b).toEqual(a);
      await pool.run('eventStats', 'default', {}, 'category');
      expect(pool.threads).toBe(3);
    } finally {
      await pool.close();
    }
  });
});
