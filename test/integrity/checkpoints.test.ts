import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkpointSignatureValid } from '../../src/core/domain/signing.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('checkpoints', () => {
  it('are signed at every multiple of 1000 entries, on demand, and at shutdown', async () => {
    const file = dir.file('a.db');
    const log = await openAuditLog({ store: await SqliteStore.open({ file }) });
    for (let i = 0; i < 2300; i += 460) {
      await log.appendEvents('t', { events: Array.from({ length: 460 }, () => sampleEvent()) });
    }
    await log.store.flush();
    // Signing after an append is asynchronous: wait for it, by a deadline.
    await vi.waitFor(
      async () =>
        expect((await log.store.listCheckpoints('t', 0, 10)).map((c) => c.seq)).toEqual([1000, 2000]),
      { timeout: 15_000, interval: 20 },
    );
    const latest = await log.integrity.latestCheckpoint('t');
    expect(latest.seq).toBe(2300);
    expect(checkpointSignatureValid(latest, latest.publicKey)).toBe(true);
    expect(latest.hash).toBe(await log.store.entryHashAt('t', 2300));
    await log.appendEvents('t', sampleEvent());
    await log.close();
    const reopened = await SqliteStore.open({ file, readonly: true });
    const after = await reopened.latestCheckpoint('t');
    await reopened.close();
    expect(after?.seq).toBe(2301);
  });

  it('are signed by the timer while entries are unsigned', async () => {
    const log = await openAuditLog({
      store: await SqliteStore.open({ file: dir.file('b.db') }),
      checkpoints: { everyMs: 100 },
    });
    await log.appendEvents('t', sampleEvent());
    await vi.waitFor(async () => expect((await log.store.latestCheckpoint('t'))?.seq).toBe(1), {
      timeout: 15_000,
      interval: 20,
    });
    await log.close();
  });

  it('keep the key with the store (mode 0600) and reuse it', async () => {
    const file = dir.file('c.db');
    const first = await openAuditLog({ store: await SqliteStore.open({ file }) });
    const keyId = first.checkpoints.keyId;
    await first.close();
    const { statSync } = await import('node:fs');
    expect(statSync(`${file}.signing-key.pem`).mode & 0o777).toBe(0o600);
    const second = await openAuditLog({ store: await SqliteStore.open({ file }) });
    expect(second.checkpoints.keyId).toBe(keyId);
    await second.close();
  });

  it('verify beside a live server waits a moment for a scheduled checkpoint signed just after the entries', async () => {
    const file = dir.file('live.db');
    // No checkpoint at 1000 by itself: one is signed on demand, a moment after verify has read the chain.
    const log = await openAuditLog({
      store: await SqliteStore.open({ file }),
      checkpoints: { everyEntries: 1_000_000 },
    });
    try {
      for (let i = 0; i < 1000; i += 500) {
        await log.appendEvents('t', { events: Array.from({ length: 500 }, () => sampleEvent()) });
      }
      let unsignedWhenRead = false;
      const report = await verifyStore(log.store, {
        tailGraceMs: 60_000,
        onProgress: (n) => {
          if (n < 1000) return;
          void log.store.listCheckpoints('t', 0, 10).then((c) => {
            unsignedWhenRead = c.length === 0;
            setTimeout(() => void log.integrity.latestCheckpoint('t'), 300);
          });
        },
      });
      expect(unsignedWhenRead).toBe(true);
      expect(report.problems).toEqual([]);
      expect(report.tenants[0]).toMatchObject({ lastSeq: 1000, unsigned: 0, missingCheckpoints: [] });
    } finally {
      await log.close();
    }
  });
});
