const encoder = new TextEncoder();

/**
 * Where a thread writes an export page (csvBytes, exportLineBytes) before copying it into a buffer of the
 * page's own size: kept between pages, grown as a page needs, started small again after a huge one.
 */
export class PageScratch {
  bytes = new Uint8Array(256 * 1024);

  /** Room for `more` bytes past `end`, keeping [0, end). */
  room(end: number, more: number): void {
    if (this.bytes.length - end >= more) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, end + more));
    bigger.set(this.bytes.subarray(0, end));
    this.bytes = bigger;
  }

  /** Writes `text` in UTF-8 at `end`; returns where it ends. */
  encode(text: string, end: number): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(end, text.length * 3);
    return end + encoder.encodeInto(text, this.bytes.subarray(end)).written;
  }

  /** Bytes [0, end) in a buffer from `alloc`. */
  finish(end: number, alloc: (size: number) => Uint8Array): Uint8Array {
    const out = alloc(end);
    out.set(this.bytes.subarray(0, end));
    if (this.bytes.length > 4 * 1024 * 1024) this.bytes = new Uint8Array(256 * 1024);
    return out;
  }
}
