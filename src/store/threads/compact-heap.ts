import type { Session } from 'node:inspector';
import { getHeapStatistics } from 'node:v8';

/**
 * A memory-reducing full collection of this thread's heap, what V8's memory reducer does once an isolate has
 * idled for some seconds: it hands the young generation back down to its initial 1 MB. Starting a server
 * grows it to its 2 × 16 MB maximum (modules compiled, schemas built), and an export that follows keeps all
 * of it resident: 193–200 MB at an export's peak, against 157–158 when the reducer had run first
 * (BENCHMARKS.md). Under load V8 grows it again as the load needs.
 *
 * Through an in-process inspector session (no port is opened): the one way a program asks for this
 * collection without a command-line flag. Where the inspector is missing, nothing happens.
 */
export async function compactHeap(): Promise<void> {
  let session: Session;
  try {
    // Imported here: a Node built without the inspector throws on loading the module itself.
    const { Session } = await import('node:inspector');
    session = new Session();
    session.connect();
  } catch {
    return;
  }
  try {
    await new Promise<void>((resolve) => session.post('HeapProfiler.collectGarbage', () => resolve()));
  } catch {
    // Nothing to give back then; never a reason to stop a thread.
  } finally {
    session.disconnect();
    floor = getHeapStatistics().used_heap_size;
  }
}

/** How far this thread's heap may grow past what its last full collection left (see compactIfGrown). */
export const HEAP_SLACK_BYTES = 3 * 1024 * 1024;
/** The heap's size after this thread's last compactHeap (−1: none yet). */
let floor = -1;
let collecting = false;

/**
 * compactHeap, once the heap has grown HEAP_SLACK_BYTES past what the last one left; for a thread between
 * export pages. Rows that live through two scavenges while a page is formatted are promoted, and V8 lets an
 * old generation grow to several times its live size before it marks it: each reader's heap went from ~5.5
 * to ~12 MB over an export of 1M events, and the server's peak past 150 MB (149–154 MB). With a 3 MB slack a
 * reader collects a few dozen times per million events, a few milliseconds each: 141–143 MB (BENCHMARKS.md).
 * Answers whether it started a collection.
 */
export function compactIfGrown(): boolean {
  if (collecting || floor < 0 || getHeapStatistics().used_heap_size < floor + HEAP_SLACK_BYTES) return false;
  collecting = true;
  void compactHeap().finally(() => {
    collecting = false;
  });
  return true;
}
