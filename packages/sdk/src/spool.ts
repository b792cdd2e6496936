import { type FileHandle, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE, prepareSpoolDir, syncDir } from './spool-files.js';
import { lockSpool } from './spool-lock.js';

/** How often at most the write segment is retired once all of it is sent (its events deleted from disk). */
const RETIRE_EVERY_MS = 1000;

export type EntryKind = 'event' | 'auth';

/** A place in the spool: a segment file and a byte offset in it. */
export interface Position {
  segment: number;
  offset: number;
}

export interface SpoolEntry {
  kind: EntryKind | 'unreadable';
  body: Record<string, unknown>;
  /** Where the entry ends: acknowledging it moves the cursor there. */
  end: Position;
}

export interface SpoolOptions {
  dir: string;
  /** Bytes waiting to be sent at most; `append` beyond is refused with SpoolFullError. */
  maxBytes: number;
  /** A segment file is closed for writing at this size and deleted once everything in it is sent. */
  segmentBytes: number;
}

export class SpoolFullError extends Error {
  readonly code = 'spool_full';
}

const SEGMENT = /^seg-(\d{12})\.ndjson$/;
const segmentName = (n: number) => `seg-${String(n).padStart(12, '0')}.ndjson`;

interface PendingWrite {
  line: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The on-disk queue between `record()` and the sender: NDJSON segment files appended to and fsynced before
 * `append` resolves (concurrent appends share one write and one fsync), read in order from a cursor that
 * `ack` moves. A crash loses nothing that was acknowledged to the caller; a torn last line (a write the crash
 * interrupted, never acknowledged) is cut off on open. The cursor is saved after each batch; a cursor lost in a
 * crash makes the sender resend, which the server answers as duplicates (same ids, same content).
 */
export class Spool {
  private readonly sizes = new Map<number, number>();
  private writer!: FileHandle;
  private writeSegment = 0;
  private cursor: Position = { segment: 0, offset: 0 };
  private reader: { segment: number; handle: FileHandle } | undefined;
  private queue: PendingWrite[] = [];
  private queuedBytes = 0;
  private writing = false;
  private closed = false;
  /** When the write segment was last retired, and the timer that retires it once RETIRE_EVERY_MS is up. */
  private retiredAt = 0;
  private retireTimer: NodeJS.Timeout | undefined;
  private pending = 0;
  private release: () => void = () => {};
  /** Called after each durable append (the sender wakes up). */
  onAppend: () => void = () => {};

  private constructor(private readonly options: SpoolOptions) {}

  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    await prepareSpoolDir(options.dir);
    spool.release = lockSpool(options.dir);
    try {
      await spool.load();
    } catch (error) {
      spool.release();
      throw error;
    }
    return spool;
  }

  /** Bytes recorded and not yet sent (or dead-lettered). */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Appends one entry durably (written and fsynced); refused with SpoolFullError past `maxBytes`. */
  append(kind: EntryKind, body: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit client is closed'));
    const line = Buffer.from(`${JSON.stringify({ k: kind, e: body })}\n`);
    if (this.pending + this.queuedBytes + line.length > this.options.maxBytes)
      return Promise.reject(
        new SpoolFullError(
          `the audit spool ${this.options.dir} is full: ${this.pending + this.queuedBytes} bytes wait to be sent ` +
            `(maxSpoolBytes ${this.options.maxBytes}); the event was NOT recorded`,
        ),
      );
    this.queuedBytes += line.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (this.writing) return;
      // Started after this tick's other appends: callers released together by one fsync (each checked and
      // serialised its event first) share the next one, instead of the first writing alone.
      this.writing = true;
      queueMicrotask(() => void this.writeQueued());
    });
  }

  /** Where the next append will go: everything before it has been appended. */
  async end(): Promise<Position> {
    while (this.writing) await new Promise((r) => setTimeout(r, 1));
    return { segment: this.writeSegment, offset: this.sizes.get(this.writeSegment) ?? 0 };
  }

  /** True when the cursor has reached `position`. */
  reached(position: Position): boolean {
    return (
      this.cursor.segment > position.segment ||
      (this.cursor.segment === position.segment && this.cursor.offset >= position.offset)
    );
  }

  /**
   * Up to `maxEntries` entries (and about `maxBytes`) from the cursor on, all of one kind, without moving the
   * cursor; empty when everything is sent.
   */
  async read(maxEntries: number, maxBytes: number): Promise<SpoolEntry[]> {
    for (;;) {
      const { segment, offset } = this.cursor;
      const size = this.sizes.get(segment) ?? 0;
      if (offset < size) return this.readFrom(segment, offset, size, maxEntries, maxBytes);
      if (segment >= this.writeSegment) return [];
      await this.finishSegment(segment);
    }
  }

  /**
   * Everything up to `position` is sent (or dead-lettered). A segment all of whose events are sent is
   * dropped at once (the one being written to is emptied): sent events, and the secrets in them, do not
   * wait on disk for the segment to fill.
   */
  async ack(position: Position): Promise<void> {
    const before = this.cursor;
    this.pending -= before.segment === position.segment ? position.offset - before.offset : 0;
    this.cursor = position;
    await this.saveCursor();
    while (
      this.cursor.segment < this.writeSegment &&
      this.cursor.offset >= (this.sizes.get(this.cursor.segment) ?? 0)
    )
      await this.finishSegment(this.cursor.segment);
    if (this.cursor.segment === this.writeSegment) await this.emptyWriteSegment();
  }

  /**
   * Retires the segment being written to when all of it is sent: appends go to a new one and the old one
   * is deleted. (Not truncated in place: positions only grow, which `flush` waiters rely on.)
   */
  private async emptyWriteSegment(): Promise<void> {
    const size = this.sizes.get(this.writeSegment) ?? 0;
    if (this.writing || this.closed || this.queue.length > 0 || size === 0 || this.cursor.offset < size)
      return;
    // At most once a RETIRE_EVERY_MS: a new file and a directory fsync after every delivered batch took the
    // 16-caller record() rate from 6,448 to ~3,900 events/s. A delivered event stays on disk that long at most
    // once the spool has caught up (a timer looks again).
    const wait = this.retiredAt + RETIRE_EVERY_MS - Date.now();
    if (wait > 0) {
      this.retireTimer ??= setTimeout(() => {
        this.retireTimer = undefined;
        void this.emptyWriteSegment().catch(() => {});
      }, wait).unref();
      return;
    }
    this.retiredAt = Date.now();
    this.writing = true; // an append now would race the switch: it queues and is written after
    try {
      await this.rotate();
      await this.finishSegment(this.writeSegment - 1);
    } finally {
      this.writing = false;
      if (this.queue.length > 0) void this.writeQueued();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retireTimer);
    while (this.writing) await new Promise((r) => setTimeout(r, 1));
    await this.writer.close();
    await this.reader?.handle.close();
    this.release();
  }

  private async load(): Promise<void> {
    const segments = (await readdir(this.options.dir))
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const n of segments) this.sizes.set(n, (await stat(this.path(n))).size);
    if (segments.length === 0) segments.push(1);
    this.writeSegment = segments.at(-1)!;
    this.writer = await open(this.path(this.writeSegment), 'a+', FILE_MODE);
    await this.cutTornTail();
    await syncDir(this.options.dir);
    this.cursor = await this.loadCursor(segments[0]!);
    for (const [n, size] of this.sizes) if (n >= this.cursor.segment) this.pending += size;
    this.pending -= this.cursor.offset;
  }

  /** A line the crash interrupted was never acknowledged to anyone: cut it off so appends start clean. */
  private async cutTornTail(): Promise<void> {
    const { size } = await this.writer.stat();
    let end = size;
    const chunk = Buffer.alloc(64 * 1024);
    while (end > 0) {
      const from = Math.max(0, end - chunk.length);
      const { bytesRead } = await this.writer.read(chunk, 0, end - from, from);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(10);
      if (nl >= 0) {
        end = from + nl + 1;
        break;
      }
      end = from;
    }
    if (end !== size) await this.writer.truncate(end);
    this.sizes.set(this.writeSegment, end);
  }

  private async loadCursor(first: number): Promise<Position> {
    try {
      const saved = JSON.parse(await readFile(this.cursorFile(), 'utf8')) as Position;
      if (this.sizes.has(saved.segment))
        return { segment: saved.segment, offset: Math.min(saved.offset, this.sizes.get(saved.segment)!) };
    } catch {}
    // No cursor, or its segment is gone (sent and deleted): start at the oldest segment left.
    return { segment: first, offset: 0 };
  }

  private async saveCursor(): Promise<void> {
    const tmp = `${this.cursorFile()}.tmp`;
    await writeFile(tmp, JSON.stringify(this.cursor), { mode: FILE_MODE });
    await rename(tmp, this.cursorFile());
  }

  private async finishSegment(segment: number): Promise<void> {
    if (this.reader?.segment === segment) {
      await this.reader.handle.close();
      this.reader = undefined;
    }
    this.cursor = { segment: segment + 1, offset: 0 };
    await this.saveCursor();
    this.sizes.delete(segment);
    await unlink(this.path(segment)).catch(() => {});
  }

  private async readFrom(
    segment: number,
    offset: number,
    size: number,
    maxEntries: number,
    maxBytes: number,
  ): Promise<SpoolEntry[]> {
    if (this.reader?.segment !== segment) {
      await this.reader?.handle.close();
      this.reader = { segment, handle: await open(this.path(segment), 'r') };
    }
    let length = Math.min(size - offset, maxBytes);
    let buffer = Buffer.alloc(length);
    await this.reader.handle.read(buffer, 0, length, offset);
    if (buffer.lastIndexOf(10) < 0) {
      // One entry longer than maxBytes: read up to its end.
      length = size - offset;
      buffer = Buffer.alloc(length);
      await this.reader.handle.read(buffer, 0, length, offset);
    }
    const entries: SpoolEntry[] = [];
    let start = 0;
    while (entries.length < maxEntries) {
      const nl = buffer.indexOf(10, start);
      if (nl < 0) break;
      const entry = parseLine(buffer.subarray(start, nl));
      if (entries.length > 0 && entry.kind !== entries[0]!.kind) break;
      start = nl + 1;
      entries.push({ ...entry, end: { segment, offset: offset + start } });
      if (entry.kind === 'unreadable') break;
    }
    return entries;
  }

  private async writeQueued(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      const bytes = Buffer.concat(group.map((w) => w.line));
      this.queuedBytes -= bytes.length;
      const at = this.sizes.get(this.writeSegment)!;
      try {
        let written = 0;
        while (written < bytes.length)
          written += (await this.writer.write(bytes, written, bytes.length - written)).bytesWritten;
        await this.writer.datasync();
        this.sizes.set(this.writeSegment, at + bytes.length);
        this.pending += bytes.length;
        for (const w of group) w.resolve();
        this.onAppend();
        if (at + bytes.length >= this.options.segmentBytes) await this.rotate();
      } catch (error) {
        // A disk that is full or failing: nothing of this group counts; cut what may have reached the file.
        await this.writer.truncate(at).catch(() => {});
        for (const w of group) w.reject(error);
      }
    }
    this.writing = false;
  }

  private async rotate(): Promise<void> {
    const next = this.writeSegment + 1;
    const handle = await open(this.path(next), 'a+', FILE_MODE);
    await syncDir(this.options.dir);
    await this.writer.close();
    this.writer = handle;
    this.writeSegment = next;
    this.sizes.set(next, 0);
  }

  private path(segment: number): string {
    return join(this.options.dir, segmentName(segment));
  }

  private cursorFile(): string {
    return join(this.options.dir, 'cursor.json');
  }
}

function parseLine(line: Buffer): Omit<SpoolEntry, 'end'> {
  try {
    const parsed = JSON.parse(line.toString('utf8')) as { k: EntryKind; e: Record<string, unknown> };
    if ((parsed.k === 'event' || parsed.k === 'auth') && typeof parsed.e === 'object') {
      return { kind: parsed.k, body: parsed.e };
    }
  } catch {}
  return { kind: 'unreadable', body: { line: line.toString('utf8') } };
}
