import { canonicalJson } from './canonical-json.js';
import type { PreparedEntry } from './entry.js';

/**
 * Whether a re-sent entry carries the same content as the stored one with its id. A retry that left
 * `occurredAt` to the server is compared with the stored time in its place, since the server chose it.
 */
export function isSameContent(storedBody: string, entry: PreparedEntry): boolean {
  if (storedBody === entry.body) return true;
  if (entry.occurredAtProvided) return false;
  const stored = JSON.parse(storedBody) as { occurredAt?: string };
  const incoming = JSON.parse(entry.body) as { occurredAt?: string };
  incoming.occurredAt = stored.occurredAt;
  return canonicalJson(incoming) === storedBody;
}
