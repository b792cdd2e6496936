import { authMapping } from './auth-event-mapping.js';
import type { EntryFacts } from './destination.js';
import type { Stream } from './entry.js';
import { formatAuthEvent } from './format-auth.js';
import { formatEvent } from './format-event.js';
import type { ChainRow } from './rows.js';
import type { StoredAuthEvent } from './schemas/auth-event-schema.js';
import type { PayloadFormat } from './schemas/destination-schema.js';
import type { StoredEvent } from './schemas/event-schema.js';
import { storedBodyText } from './stored-body.js';

/** One entry on its way out: the API's JSON of it, and the facts filters and formats look at. */
export interface OutgoingEntry {
  id: string;
  seq: number;
  stream: Stream;
  receivedMs: number;
  facts: EntryFacts;
  event: StoredEvent | StoredAuthEvent;
}

export function outgoingEntry(tenant: string, row: ChainRow): OutgoingEntry {
  const entryRow = { ...row, tenant, occurredMs: 0, body: storedBodyText(row.body) };
  if (row.stream === 'event') {
    const event = formatEvent(entryRow);
    return {
      id: event.id,
      seq: row.seq,
      stream: 'event',
      receivedMs: row.receivedMs,
      facts: { stream: 'event', category: event.category, eventType: event.eventType },
      event,
    };
  }
  const event = formatAuthEvent(entryRow);
  return {
    id: event.id,
    seq: row.seq,
    stream: 'auth',
    receivedMs: row.receivedMs,
    facts: { stream: 'auth', eventType: event.type },
    event,
  };
}

/** The entry as a JSON object in the destination's format (`cef` is text; see cefLine). */
export function payloadObject(e: OutgoingEntry, format: PayloadFormat): Record<string, unknown> {
  if (format === 'ocsf') return ocsf(e);
  return { stream: e.stream === 'event' ? 'admin' : 'auth', ...e.event };
}

const OCSF_VERSION = '1.3.0';
const PRODUCT = { name: 'auditlog', vendor_name: 'auditlog' };
/** Target types whose changes are changes to an account (OCSF Account Change) rather than to an entity. */
const ACCOUNT_TYPES = /^(user|users|account|accounts|agent|agents|administrator|admin|member|principal)$/i;

/**
 * OCSF 1.3: sign-ins are Authentication (3002); administrative events on accounts are Account Change
 * (3001), all others Entity Management (3004). The mapping is documented in docs/streaming.md.
 */
export function ocsf(e: OutgoingEntry): Record<string, unknown> {
  const metadata = {
    uid: e.id,
    version: OCSF_VERSION,
    product: PRODUCT,
    tenant_uid: e.event.tenant,
    sequence: e.seq,
    logged_time: e.receivedMs,
  };
  if (e.stream === 'auth') {
    const a = e.event as StoredAuthEvent;
    const m = authMapping(a.type);
    const failed = m.statusId === 2;
    const detail = a.reason ?? m.detail;
    return {
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: m.activityId,
      activity_name: m.activityId === 2 ? 'Logoff' : 'Logon',
      type_uid: 300200 + m.activityId,
      time: Date.parse(a.occurredAt),
      severity_id: failed ? 3 : 1,
      status_id: m.statusId,
      status: failed ? 'Failure' : 'Success',
      ...(detail ? { status_detail: detail } : {}),
      user: {
        name: a.user.username,
        ...(a.user.id ? { uid: a.user.id } : {}),
        ...(a.user.displayName ? { full_name: a.user.displayName } : {}),
      },
      src_endpoint: { ip: a.ip },
      ...(a.sessionId ? { session: { uid: a.sessionId } } : {}),
      ...(a.method ? { auth_protocol: a.method, is_mfa: a.method !== 'password' } : {}),
      ...(a.userAgent ? { http_request: { user_agent: a.userAgent } } : {}),
      metadata,
      unmapped: { type: a.type },
    };
  }
  const ev = e.event as StoredEvent;
  const account = ACCOUNT_TYPES.test(ev.target.type);
  const activity = account
    ? ({ create: 1, delete: 6 }[ev.action as 'create' | 'delete'] ?? 99)
    : ({ create: 1, update: 3, delete: 4 }[ev.action as 'create' | 'update' | 'delete'] ?? 99);
  const classUid = account ? 3001 : 3004;
  const actor = {
    user: {
      uid: ev.actor.id,
      ...(ev.actor.username ? { name: ev.actor.username } : {}),
      ...(ev.actor.displayName ? { full_name: ev.actor.displayName } : {}),
      ...(ev.actor.type ? { type: ev.actor.type } : {}),
    },
    ...(ev.sessionId ? { session: { uid: ev.sessionId } } : {}),
  };
  const target = {
    uid: ev.target.id,
    type: ev.target.type,
    ...(ev.target.name ? { name: ev.target.name } : {}),
  };
  return {
    class_uid: classUid,
    class_name: account ? 'Account Change' : 'Entity Management',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: activity,
    activity_name: activityName(account, activity),
    type_uid: classUid * 100 + activity,
    time: Date.parse(ev.occurredAt),
    severity_id: 1,
    status_id: 1,
    status: 'Success',
    actor,
    ...(account
      ? { user: target }
      : {
          entity: { ...target, data: ev.oldValue ?? null },
          entity_result: { ...target, data: ev.newValue ?? null },
        }),
    ...(ev.ip ? { src_endpoint: { ip: ev.ip } } : {}),
    ...(ev.userAgent ? { http_request: { user_agent: ev.userAgent } } : {}),
    ...(ev.reason ? { comment: ev.reason } : {}),
    metadata: { ...metadata, event_code: ev.eventType, labels: [ev.category] },
    unmapped: { action: ev.action, category: ev.category, eventType: ev.eventType, changes: ev.changes },
  };
}

function activityName(account: boolean, id: number): string {
  if (id === 99) return 'Other';
  if (account) return id === 1 ? 'Create' : 'Delete';
  return { 1: 'Create', 3: 'Update', 4: 'Delete' }[id] ?? 'Other';
}

/** CEF: `CEF:0|vendor|product|version|signature id|name|severity|extension` with the required escaping. */
export function cefLine(e: OutgoingEntry): string {
  const header = (s: string) =>
    s
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/[\r\n]+/g, ' ');
  const ext = (s: string) =>
    s
      .replace(/\\/g, '\\\\')
      .replace(/=/g, '\\=')
      .replace(/\r\n|\r|\n/g, '\\n');
  const fields: [string, string | number | undefined][] = [];
  let signature: string;
  let name: string;
  let severity: number;
  if (e.stream === 'auth') {
    const a = e.event as StoredAuthEvent;
    signature = a.type;
    const m = authMapping(a.type);
    name = m.name;
    severity = a.type === 'login_failure' ? 5 : 3;
    fields.push(
      ['suser', a.user.username],
      ['suid', a.user.id],
      ['src', a.ip],
      ['outcome', m.outcome],
      ['reason', a.reason],
      ['requestClientApplication', a.userAgent],
      // cs2 as for administrative events (cs1 is their targetType): a parser keys on the slot. A label only
      // with its value: a lone cs2Label names a field the line does not hold.
      ['cs2Label', a.sessionId === undefined ? undefined : 'sessionId'],
      ['cs2', a.sessionId],
    );
  } else {
    const ev = e.event as StoredEvent;
    signature = ev.eventType;
    name = `${ev.action} ${ev.target.type}`;
    severity = ev.category === 'security' ? 5 : 3;
    fields.push(
      ['act', ev.action],
      ['cat', ev.category],
      ['suser', ev.actor.username ?? ev.actor.id],
      ['suid', ev.actor.id],
      ['src', ev.ip],
      ['duid', ev.target.id],
      ['cs1Label', 'targetType'],
      ['cs1', ev.target.type],
      ['cs2Label', ev.sessionId === undefined ? undefined : 'sessionId'],
      ['cs2', ev.sessionId],
      ['requestClientApplication', ev.userAgent],
      ['reason', ev.reason],
    );
  }
  fields.push(
    ['rt', Date.parse(e.event.occurredAt)],
    ['externalId', e.id],
    ['cn1Label', 'seq'],
    ['cn1', e.seq],
    ['cs6Label', 'tenant'],
    ['cs6', e.event.tenant],
  );
  const extension = fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${ext(String(v))}`)
    .join(' ');
  return `CEF:0|auditlog|auditlog|1|${header(signature)}|${header(name)}|${severity}|${extension}`;
}
