import { cefLine, type OutgoingEntry, payloadObject } from './destination-payload.js';
import { fitJson, type JsonTruncation } from './json-truncation.js';
import type { StoredAuthEvent } from './schemas/auth-event-schema.js';
import type { PayloadFormat } from './schemas/destination-schema.js';
import type { StoredEvent } from './schemas/event-schema.js';

/**
 * What a syslog receiver takes in one message unless told otherwise: stock rsyslog's imtcp stops at 8096
 * bytes and reads the rest as further messages, whose header would then be the event's own content.
 */
export const DEFAULT_SYSLOG_MAX_MESSAGE = 8096;
const TRUNCATED_MARK = '…[truncated]';

/** How a JSON or OCSF payload is shrunk (see fitJson): what may be dropped, what names the entry. */
const JSON_RULES: Record<'json' | 'ocsf', JsonTruncation> = {
  json: {
    markerAt: [],
    droppable: ['oldValue', 'newValue', 'changes', 'metadata'],
    keep: [
      'stream',
      'id',
      'seq',
      'tenant',
      'occurredAt',
      'receivedAt',
      'action',
      'eventType',
      'category',
      'type',
    ],
  },
  ocsf: {
    markerAt: ['unmapped'],
    droppable: ['entity.data', 'entity_result.data', 'unmapped.changes'],
    keep: [
      'class_uid',
      'class_name',
      'category_uid',
      'category_name',
      'activity_id',
      'activity_name',
      'type_uid',
      'time',
      'severity_id',
      'status_id',
      'status',
      'metadata',
    ],
  },
};

/** Printable ASCII without spaces, at most `max` characters: what RFC 5424 header fields allow. */
const headerField = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
const sdValue = (s: string) => s.replace(/[\\"\]]/g, (c) => `\\${c}`);

/**
 * One RFC 5424 message: facility 13 (log audit), severity notice (warning for failed sign-ins and security
 * events), MSGID the event type, structured data with id, seq and tenant, and the body (BOM + UTF-8 JSON or
 * CEF). With RFC 5425/6587 octet counting it is framed as `<length> <message>`.
 *
 * A message longer than `maxBytes` keeps its header and structured data (so the entry is still named, and
 * its full form is one API call away) and `truncated="true" bytes="<full length>"` join the structured data.
 * A JSON or OCSF MSG stays valid JSON, shrunk by fitJson with a `truncated` marker; a CEF MSG loses its end
 * and ends in `…[truncated]`. Never split: a receiver would parse the remainder as a message of its own.
 */
export function syslogMessage(
  e: OutgoingEntry,
  format: PayloadFormat,
  hostname: string,
  maxBytes = DEFAULT_SYSLOG_MAX_MESSAGE,
): string {
  const warn =
    (e.stream === 'auth' && (e.event as StoredAuthEvent).type === 'login_failure') ||
    (e.stream === 'event' && (e.event as StoredEvent).category === 'security');
  const pri = 13 * 8 + (warn ? 4 : 5);
  const time = new Date(e.receivedMs).toISOString();
  const payload = format === 'cef' ? null : payloadObject(e, format);
  const body = payload ? JSON.stringify(payload) : cefLine(e);
  const head = `<${pri}>1 ${time} ${headerField(hostname, 255)} auditlog - ${headerField(e.facts.eventType, 32)}`;
  const params = `id="${sdValue(e.id)}" seq="${e.seq}" tenant="${sdValue(e.event.tenant)}"`;
  const whole = `${head} [auditlog@32473 ${params}] \uFEFF${body}`;
  const size = Buffer.byteLength(whole, 'utf8');
  if (size <= maxBytes) return whole;
  const start = `${head} [auditlog@32473 ${params} truncated="true" bytes="${size}"] \uFEFF`;
  if (payload && format !== 'cef') {
    // Still one JSON document, so that the receiver's parser reads it; the marker says what was cut.
    const fits = (json: string) =>
      Buffer.byteLength(start, 'utf8') + Buffer.byteLength(json, 'utf8') <= maxBytes;
    return start + fitJson(payload, JSON_RULES[format], size, fits);
  }
  const room = maxBytes - Buffer.byteLength(start, 'utf8') - Buffer.byteLength(TRUNCATED_MARK, 'utf8');
  let cut = utf8Prefix(body, Math.max(0, room));
  // A CEF value ending in a lone backslash would escape the mark.
  if (format === 'cef' && /(^|[^\\])(\\\\)*\\$/.test(cut)) cut = cut.slice(0, -1);
  return `${start}${cut}${TRUNCATED_MARK}`;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a whole character. */
function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character the limit falls in.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
