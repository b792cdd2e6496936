import type { ErrorDetail } from './errors.js';

/**
 * `.` and `..` cannot be a URL path segment: clients and servers resolve them as the current and parent
 * folder (WHATWG URL and RFC 3986; percent-encoding them does not help). A value that names a resource in a
 * path — an event id (`/v1/events/{id}`), a session id, an entity's type and id — MUST NOT be one, or the
 * event would be stored and never reachable there.
 */
export function dotSegmentErrors(fields: Record<string, unknown>, path: string): ErrorDetail[] {
  // A plain loop: this runs for every event ingested, and almost always finds nothing.
  const out: ErrorDetail[] = [];
  for (const field in fields) {
    const value = fields[field];
    if (value === '.' || value === '..')
      out.push({
        path: `${path}/${field}`,
        message: 'must not be "." or "..", which a URL path cannot hold',
      });
  }
  return out;
}
