// An export reads the log at the client's pace: a client that stops reading stops the reading of the store
// (after what the socket buffers hold), so a slow download never makes the server hold the whole export.
import http from 'node:http';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/core/ports/store.js';
import { ADMIN_TOKEN, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

const N = 4000;
// ~30 KB a row: 120 MB of export, far more than the socket buffers between a paused client and the server
// (Linux grows a receive buffer up to tcp_rmem's 32 MB here, plus 4 MB to send: 40 MB read ahead of a paused
// client under load, at 10 KB a row).
const BLOB = 'x'.repeat(30_000);
const T0 = Date.UTC(2026, 3, 1);

let server: TestServer;
/** Rows the store has handed to exports so far (both formats' page reads, counted around the real store). */
let rowsRead = 0;
/** CSV pages read with rows, and those handed back to the store once the socket wrote them. */
let pagesRead = 0;
let pagesReleased = 0;

beforeAll(async () => {
  server = await startTestServer();
  for (let i = 0; i < N; i += 500) {
    const events = Array.from({ length: 500 }, (_, k) =>
      sampleEvent({
        id: `bp-${i + k}`,
        occurredAt: new Date(T0 + (i + k) * 1000).toISOString(),
        newValue: { blob: BLOB, n: i + k },
      }),
    );
    await server.log.appendEvents('default', { events });
  }
  const store = server.log.store as Store;
  const csvPage = store.csvPage.bind(store);
  const ndjsonPage = store.ndjsonPage.bind(store);
  store.csvPage = async (...args) => counted(await csvPage(...args), (page) => page.count);
  store.ndjsonPage = async (...args) => counted(await ndjsonPage(...args), (page) => page.seqs.length);
});
afterAll(async () => server?.close());

/** Counts a page read (with its rows) and, once it is handed back, its release. */
function counted<P extends { release?: (bytes: Uint8Array) => void }>(
  page: P,
  rowsOf: (page: P) => number,
): P {
  const rows = rowsOf(page);
  rowsRead += rows;
  pagesRead += rows > 0 ? 1 : 0;
  const release = page.release;
  if (!release) return page;
  return {
    ...page,
    release: (bytes: Uint8Array) => {
      pagesReleased++;
      release(bytes);
    },
  };
}

/** Starts a download and does not read it: resolves with the paused response once the headers are in. */
function pausedDownload(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
        res.pause();
        resolve(res);
      })
      .on('error', reject);
  });
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.resume();
  });
}

/**
 * Waits until the export has read from the store and then stopped (the count stays the same over several
 * checks). Started first: a reader that takes a second to answer (PostgreSQL's, under load) is not a stop.
 */
async function readingStopped(): Promise<number> {
  let last = -1;
  let same = 0;
  await vi.waitFor(
    () => {
      if (rowsRead === 0) throw new Error('the export has not read yet');
      same = rowsRead === last ? same + 1 : 0;
      last = rowsRead;
      if (same < 5) throw new Error('the export is still reading');
    },
    { timeout: 60_000, interval: 200 },
  );
  return rowsRead;
}

describe('an export to a client that stops reading', () => {
  it.each(['csv', 'ndjson'] as const)(
    '%s: reads ahead only a few pages, then resumes and completes',
    async (format) => {
      rowsRead = 0;
      pagesRead = 0;
      pagesReleased = 0;
      const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + N * 1000).toISOString()}`;
      const res = await pausedDownload(`/v1/export?format=${format}&${range}`);
      expect(res.statusCode).toBe(200);
      const whilePaused = await readingStopped();
      // What the socket buffers and the stream's few pages hold; a server that read ahead would read all N.
      expect(whilePaused).toBeLessThan(N / 2);
      // A page goes back to the store only once the socket wrote it: not the two the stream buffers, nor
      // the one written but still in the socket's queue, nor the one read ahead.
      if (format === 'csv') expect(pagesRead - pagesReleased).toBeGreaterThanOrEqual(3);

      const text = await readAll(res);
      if (format === 'csv') {
        const records: Record<string, string>[] = parse(text, { columns: true });
        expect(records).toHaveLength(N);
        records.forEach((r, i) => {
          if (r.id !== `bp-${i}`) expect(r.id).toBe(`bp-${i}`); // one expect per mismatch only
        });
        expect(JSON.parse(records[N - 1]!.newValue!)).toEqual({ blob: BLOB, n: N - 1 });
        // Written, every page went back (the write callbacks have run by the time the client has it all).
        await vi.waitFor(() => expect(pagesReleased).toBe(pagesRead));
        expect(pagesRead).toBeGreaterThan(10);
      } else {
        const events = text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .filter((l) => !('bridge' in l) && !('checkpoint' in l) && !('end' in l));
        expect(events.map((e) => e.id)).toEqual(Array.from({ length: N }, (_, i) => `bp-${i}`));
        // Each page's bytes went back once copied into the stream's chunks.
        expect(pagesReleased).toBe(pagesRead);
        expect(pagesRead).toBeGreaterThan(10);
      }
      expect(rowsRead).toBe(N);
    },
  );
});
