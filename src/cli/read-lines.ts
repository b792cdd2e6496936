import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AuditError } from '../core/domain/errors.js';

/**
 * A file a command is to read: a missing one (or a directory) is bad input, exit 2, before anything opens. A
 * pipe is a file here (`--file /dev/stdin`, `<(zcat export.ndjson.gz)`).
 */
export function requireFile(file: string): void {
  if (!existsSync(file)) throw new AuditError('invalid_request', `No file at ${file}`);
  if (statSync(file).isDirectory())
    throw new AuditError('invalid_request', `${file} is a directory, not a file to read`);
}

/**
 * The lines of a text file, streamed (an export may be larger than memory); CRLF ends a line too, and a UTF-8
 * byte order mark before the first line is no part of it (editors on Windows write one; the API skips it too).
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  let first = true;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    yield first && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    first = false;
  }
}
