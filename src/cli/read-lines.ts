import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The lines of a text file, streamed (an export may be larger than memory); CRLF ends a line too. */
export function readLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
}
