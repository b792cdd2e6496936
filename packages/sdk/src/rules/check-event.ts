import { isIP } from 'node:net';
// The server's own modules, compiled into the SDK's build (packages/sdk/tsconfig.json): one source.
import { defaultEventType } from '../../../../src/core/domain/default-event-type.js';
import type { ErrorDetail } from '../../../../src/core/domain/errors.js';
import { inspectJson, pointerToken, withProblems } from '../../../../src/core/domain/inspect-json.js';
import { reservedFieldErrors } from '../../../../src/core/domain/reserved-events.js';
import { dotSegmentErrors } from '../../../../src/core/domain/url-segment.js';
import { schemaProblems } from './json-schema.js';
import { AUTH_EVENT_SCHEMA, EVENT_SCHEMA, EVENT_TYPE_MAX_LENGTH, LIMITS } from './schemas.js';

/**
 * The checks of the server's checkEvents / checkAuthEvents (src/core/domain/prepare-event.ts,
 * prepare-auth-event.ts) that depend on the event alone. Left to the server: the category against the
 * deployment's catalog, and an occurredAt too far ahead of the server's clock. test/sdk/rules-match.test.ts
 * runs both sides on the same events.
 */
export interface EventProblems {
  /** The server would answer 413. */
  tooLarge: ErrorDetail[];
  /** The server would answer 400. */
  invalid: ErrorDetail[];
}

const MAX_VALUE_DEPTH = 64;
const FIELD_BYTES: Partial<Record<string, number>> = {
  oldValue: LIMITS.valueBytes,
  newValue: LIMITS.valueBytes,
  metadata: LIMITS.metadataBytes,
};

export function eventProblems(item: Record<string, unknown>): EventProblems {
  const walk = inspectEvent(item);
  if (walk.tooDeep.length > 0) return { tooLarge: [], invalid: walk.tooDeep };
  if (walk.tooLarge.length > 0) return { tooLarge: walk.tooLarge, invalid: [] };
  const out = schemaProblems(EVENT_SCHEMA, item);
  const target = ((typeof item.target === 'object' && item.target) || {}) as { type?: unknown; id?: unknown };
  const defaultType =
    typeof target.type === 'string' && typeof item.action === 'string'
      ? defaultEventType(target.type, item.action)
      : undefined;
  out.push(...reservedFieldErrors(item, '', defaultType));
  if (item.eventType === undefined && defaultType !== undefined && defaultType.length > EVENT_TYPE_MAX_LENGTH)
    out.push({
      path: '/target/type',
      message: `gives a default event type of ${defaultType.length} characters, over ${EVENT_TYPE_MAX_LENGTH}; send an eventType`,
    });
  if (typeof item.ip === 'string' && isIP(item.ip) === 0)
    out.push({ path: '/ip', message: 'must be a valid IPv4 or IPv6 address' });
  const ids = { id: item.id, sessionId: item.sessionId, 'target/type': target.type, 'target/id': target.id };
  out.push(...dotSegmentErrors(ids, ''));
  return { tooLarge: [], invalid: withProblems(out, walk.problems) };
}

export function authEventProblems(item: Record<string, unknown>): EventProblems {
  const walk = inspectJson(item, '', { maxDepth: 8, maxBytes: LIMITS.eventBytes });
  if (walk.tooDeep)
    return {
      tooLarge: [],
      invalid: [{ path: '', message: 'is nested too deeply for an authentication event' }],
    };
  if (walk.tooLarge)
    return { tooLarge: [{ path: '', message: `may hold at most ${LIMITS.eventBytes} bytes` }], invalid: [] };
  const out = schemaProblems(AUTH_EVENT_SCHEMA, item);
  const missing = (field: string, why: string) => {
    if (item[field] === undefined) out.push({ path: `/${field}`, message: why });
  };
  if (item.type === 'login_success') {
    missing('method', 'is required for login_success');
    missing('sessionId', 'is required for login_success');
  } else if (item.type === 'login_failure') missing('reason', 'is required for login_failure');
  else if (typeof item.type === 'string') missing('sessionId', `is required for ${item.type}`);
  if (item.reason !== undefined && item.type !== 'login_failure' && typeof item.type === 'string')
    out.push({ path: '/reason', message: 'is only allowed on login_failure' });
  if (typeof item.ip === 'string' && isIP(item.ip) === 0)
    out.push({ path: '/ip', message: 'must be a valid IPv4 or IPv6 address' });
  out.push(...dotSegmentErrors({ sessionId: item.sessionId }, ''));
  return { tooLarge: [], invalid: withProblems(out, walk.problems) };
}

/** The server's one bounded walk per field: nesting, then the per-value and whole-event size limits. */
function inspectEvent(record: Record<string, unknown>) {
  const out = { tooDeep: [] as ErrorDetail[], tooLarge: [] as ErrorDetail[], problems: [] as ErrorDetail[] };
  let total = 2;
  for (const field of Object.keys(record)) {
    const value = record[field];
    if (value === undefined) continue;
    const budget = LIMITS.eventBytes - total;
    const limit = FIELD_BYTES[field];
    const maxBytes = limit === undefined ? budget : Math.min(limit, budget);
    const walk = inspectJson(value, '', { maxDepth: MAX_VALUE_DEPTH, maxBytes }, field);
    const at = `/${pointerToken(field)}`;
    if (walk.tooDeep)
      out.tooDeep.push({ path: at, message: `must not nest deeper than ${MAX_VALUE_DEPTH} levels` });
    out.problems.push(...walk.problems);
    total += walk.bytes + Buffer.byteLength(field) + (total === 2 ? 3 : 4);
    if (walk.tooLarge && limit !== undefined && walk.bytes > limit)
      out.tooLarge.push({ path: at, message: `is over ${limit} bytes serialized; at most ${limit}` });
    else if (walk.tooLarge || total > LIMITS.eventBytes) {
      out.tooLarge.push({
        path: '',
        message: `is over ${LIMITS.eventBytes} bytes; an event may hold at most that`,
      });
      break;
    }
  }
  return out;
}
