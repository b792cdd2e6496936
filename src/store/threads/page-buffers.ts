/**
 * Buffers for the pages a thread hands over (an export's CSV pages), reused across pages. A page's bytes
 * are transferred to the event loop's thread, which writes them to a socket; freed there only when that
 * thread next collects garbage, they piled up — V8 counts them as external memory and collects late, so a
 * CSV export of 1M events held tens of MB of written pages (BENCHMARKS.md, "Export memory"). Handed back
 * once written (WorkerPool.recycle), a buffer serves a later page instead.
 */

/**
 * Buffers are sized in steps of 8 KiB, so a page a little larger than the last may still fit a spare; a
 * page that is never handed back (a CLI export, an aborted download) wastes less than a step.
 */
const STEP = 8 * 1024;
/** Spares kept per thread: the pages in flight of an export or two. */
const SPARES = 4;
/** A buffer larger than this (a page of huge events) is not kept. */
const LARGEST_KEPT = 4 * 1024 * 1024;

const spares: ArrayBuffer[] = [];
/** Buffers this thread took for pages: the only views answerRequests transfers without owning all of. */
const pageBuffers = new WeakSet<ArrayBuffer>();

/**
 * A view of `size` bytes over a spare buffer, or over a new one. The whole buffer moves with the page, so a
 * spare's bytes past `size` (an earlier page's, perhaps another tenant's) are zeroed.
 */
export function takePageBuffer(size: number): Uint8Array<ArrayBuffer> {
  if (size === 0) return new Uint8Array(0);
  const i = spares.findIndex((b) => b.byteLength >= size);
  const buffer = i === -1 ? new ArrayBuffer(Math.ceil(size / STEP) * STEP) : spares.splice(i, 1)[0]!;
  if (i !== -1) new Uint8Array(buffer).fill(0, size);
  pageBuffers.add(buffer);
  return new Uint8Array(buffer, 0, size);
}

/** A page's buffer, handed back after its bytes were written. */
export function givePageBuffer(buffer: ArrayBuffer): void {
  if (spares.length < SPARES && buffer.byteLength > 0 && buffer.byteLength <= LARGEST_KEPT)
    spares.push(buffer);
}

/** How many spares this thread holds (for tests). */
export function spareCount(): number {
  return spares.length;
}

/**
 * Bytes whose whole buffer may be moved to another thread: a Uint8Array over an entire ArrayBuffer, or a
 * page view from takePageBuffer — never a view into a shared pool (Node's Buffer pool), which a transfer
 * would detach under everyone else using it.
 */
export function movable(v: unknown): v is Uint8Array<ArrayBuffer> {
  if (!(v instanceof Uint8Array) || !(v.buffer instanceof ArrayBuffer) || v.byteOffset !== 0) return false;
  return v.byteLength === v.buffer.byteLength || pageBuffers.has(v.buffer);
}
