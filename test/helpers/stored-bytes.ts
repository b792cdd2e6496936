// What a store keeps, as bytes, for tests asserting that something (a token secret, a redacted value) is
// never stored: the files of a SQLite store, or the rows and files of a PostgreSQL database.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredBytes {
  /** A file path, or `table <name>` for the rows of a PostgreSQL table. */
  where: string;
  /** The bytes, read when asked (a PostgreSQL WAL can be large; one file at a time is in memory). */
  read: () => Buffer;
}

export function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((f) => {
    const p = join(path, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The files that exist among `files` (one removed meanwhile reads as empty). */
export function readFiles(files: string[]): StoredBytes[] {
  return files
    .filter((f) => existsSync(f))
    .map((where) => ({
      where,
      read: () => {
        try {
          return readFileSync(where);
        } catch {
          return Buffer.alloc(0);
        }
      },
    }));
}

/** A SQLite database file with its -wal and -shm files. */
export function sqliteFiles(file: string): StoredBytes[] {
  return readFiles([file, `${file}-wal`, `${file}-shm`]);
}

/** `where: needle` for every needle found in UTF-8 or UTF-16LE anywhere in `stored`. */
export function occurrences(stored: StoredBytes[], needles: string[]): string[] {
  const found: string[] = [];
  for (const { where, read } of stored) {
    const bytes = read();
    for (const needle of needles) {
      if (bytes.includes(Buffer.from(needle, 'utf8')) || bytes.includes(Buffer.from(needle, 'utf16le')))
        found.push(`${where}: ${needle}`);
    }
  }
  return found;
}
