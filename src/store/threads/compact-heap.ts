import type { Session } from 'node:inspector';

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
  }
}
