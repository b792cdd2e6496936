import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { readerMmapBytes } from '../../src/store/sqlite/sqlite-connection.js';
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

  // Queries read through a memory map of the file (a keyword scan's scattered rows: 3× faster), visible in
  // the process's mappings once a reader has read.
  it('map the file for queries', async () => {
    // The file itself, not its -shm index (every WAL connection maps that).
    const mapped = () =>
      readFileSync('/proc/self/maps', 'utf8')
        .split('\n')
        .some((line) => line.endsWith(` ${file}`));
    const pool = await SqliteReaderPool.start(file, 1, true);
    try {
      await pool.run('listEvents', 'default', {}, { order: 'desc', limit: 5 });
      expect(mapped()).toBe(true);
    } finally {
      await pool.close();
    }
    expect(mapped()).toBe(false);
  });

  it('take the map size from AUDITLOG_SQLITE_MMAP_MB, refusing what is not a whole number of MiB', () => {
    expect(readerMmapBytes(undefined)).toBe(2 ** 31);
    expect(readerMmapBytes('')).toBe(2 ** 31);
    expect(readerMmapBytes('0')).toBe(0);
    expect(readerMmapBytes('64')).toBe(64 * 2 ** 20);
    for (const bad of ['-1', '1.5', '64MB', ' 64', '99999999'])
      expect(() => readerMmapBytes(bad)).toThrow(/AUDITLOG_SQLITE_MMAP_MB must be a whole number of MiB/);
  });
});
