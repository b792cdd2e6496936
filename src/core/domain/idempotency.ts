import { canonicalJson } from './canonical-json.js';
import type { PreparedEntry } from './entry.js';

/**
 * Whether a re-sent entry carries the same content as the stored one with its id. A retry that left
 * `occurredAt` to the server is compared with the stored time in its place, since the server chose it.
 * Redacted secrets compare as equal whatever their fingerprints: otherwise a 409 or a duplicate would tell
 * an ingest token whether a guess of a stored secret was right (re-send the id with the guess), as often as
 * it liked and unrecorded. The first content stays; the retry's secret was never stored anyway.
 */
export function isSameContent(storedBody: string, entry: PreparedEntry): boolean {
  if (storedBody === entry.body) return true;
  let incoming = entry.body;
  if (!entry.occurredAtProvided) {
    const stored = JSON.parse(storedBody) as { occurredAt?: string };
    const parsed = JSON.parse(entry.body) as { occurredAt?: string };
    parsed.occurredAt = stored.occurredAt;
    incoming = canonicalJson(parsed);
  }
  return incoming === storedBody || withoutFingerprints(incoming) === withoutFingerprints(storedBody);
}

/**
 * A redaction marker (redact.ts) in canonical JSON: the whole `{ fingerprint, redacted: true }` object (a
 * `fingerprint` member of the client's own data is content), or the text marker.
 */
const MARKERS = /\{"fingerprint":"[0-9a-f]{16}","redacted":true\}|\[redacted:[0-9a-f]{16}\]/g;
const withoutFingerprints = (body: string) => body.replace(MARKERS, (m) => (m[0] === '{' ? '{}' : '[]'));
