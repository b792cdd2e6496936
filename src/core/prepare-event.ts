import { canonicalJson } from './canonical-json.js';
import { diffValues } from './diff.js';
import type { PreparedEvent } from './entry.js';
import { AuditError, type ErrorDetail, invalidEvent } from './errors.js';
import { newId } from './ids.js';
import { ipKey, isValidIp } from './ip.js';
import { jsonByteLength, jsonDepth } from './json-size.js';
import type { Redactor } from './redact.js';
import { compileSchema, schemaErrors } from './schema-validator.js';
import { EventInput, LIMITS } from './schemas/event-schema.js';
import { SearchStrings } from './search-text.js';
import { fold } from './text-fold.js';
import { formatTimestamp, parseRfc3339 } from './time.js';

export interface PrepareContext {
  tenant: string;
  now: number;
  categories: ReadonlySet<string>;
  redactor: Redactor;
}

const MAX_VALUE_DEPTH = 64;
const validateShape = compileSchema(EventInput);

/**
 * Validates every event of a batch (all errors of all events, each with its path) and prepares them for
 * the store: defaults, redaction, field-level changes, canonical body, filter columns and search strings.
 * Throws an AuditError (400 invalid_event or 413 payload_too_large) and prepares nothing when any event is
 * wrong, so a batch is all or nothing from the first step.
 */
export function prepareEvents(
  items: readonly unknown[],
  paths: readonly string[],
  ctx: PrepareContext,
): PreparedEvent[] {
  checkEvents(items, paths, ctx, { sizes: false });
  const prepared = items.map((item) => prepareEvent(item as EventInput, ctx));
  // The size limits, checked after the fact but before anything is stored: an event whose canonical body
  // (its content plus the changes) fits in 16 KiB of UTF-8 meets every limit, so only larger ones are
  // measured — most events skip a serialisation.
  const tooLarge = prepared.flatMap((e, i) =>
    e.body.length * 3 > LIMITS.metadataBytes ? sizeErrors(items[i], paths[i]!) : [],
  );
  if (tooLarge.length > 0) {
    throw new AuditError(
      'payload_too_large',
      'An event or one of its values is too large',
      tooLarge.slice(0, 50),
    );
  }
  return prepared;
}

/** Throws the errors `prepareEvents` would, without preparing anything (import's first pass). */
export function checkEvents(
  items: readonly unknown[],
  paths: readonly string[],
  ctx: Pick<PrepareContext, 'now' | 'categories'>,
  options: { sizes: boolean } = { sizes: true },
): void {
  const tooLarge: ErrorDetail[] = [];
  const invalid: ErrorDetail[] = [];
  items.forEach((item, i) => {
    const path = paths[i]!;
    // Depth first, without recursion: every later step recurses, and a value nested thousands of levels
    // deep must be a 400, not a stack overflow.
    const depth = depthErrors(item, path);
    const size = depth.length > 0 || !options.sizes ? [] : sizeErrors(item, path);
    if (depth.length > 0) invalid.push(...depth);
    else if (size.length > 0) tooLarge.push(...size);
    else invalid.push(...eventErrors(item, path, ctx));
  });
  if (tooLarge.length > 0) {
    throw new AuditError(
      'payload_too_large',
      'An event or one of its values is too large',
      tooLarge.slice(0, 50),
    );
  }
  if (invalid.length > 0) throw invalidEvent(invalid.slice(0, 50));
}

function depthErrors(item: unknown, path: string): ErrorDetail[] {
  if (typeof item !== 'object' || item === null) return [];
  if (jsonDepth(item, MAX_VALUE_DEPTH + 1) <= MAX_VALUE_DEPTH + 1) return [];
  const e = item as Record<string, unknown>;
  const deep = ['oldValue', 'newValue', 'metadata'].filter(
    (f) => jsonDepth(e[f], MAX_VALUE_DEPTH) > MAX_VALUE_DEPTH,
  );
  const fields = deep.length > 0 ? deep.map((f) => `${path}/${f}`) : [path];
  return fields.map((p) => ({ path: p, message: `must not nest deeper than ${MAX_VALUE_DEPTH} levels` }));
}

function sizeErrors(item: unknown, path: string): ErrorDetail[] {
  if (typeof item !== 'object' || item === null) return [];
  const total = jsonByteLength(item);
  if (total > LIMITS.eventBytes) {
    return [{ path, message: `is ${total} bytes; an event may hold at most ${LIMITS.eventBytes}` }];
  }
  if (total <= LIMITS.metadataBytes) return [];
  const out: ErrorDetail[] = [];
  const e = item as Record<string, unknown>;
  for (const [field, limit] of [
    ['oldValue', LIMITS.valueBytes],
    ['newValue', LIMITS.valueBytes],
    ['metadata', LIMITS.metadataBytes],
  ] as const) {
    if (e[field] === undefined) continue;
    const bytes = jsonByteLength(e[field]);
    if (bytes > limit)
      out.push({ path: `${path}/${field}`, message: `is ${bytes} bytes serialized; at most ${limit}` });
  }
  return out;
}

/** Schema errors plus the rules a schema cannot say; every problem of the event, each with its path. */
function eventErrors(
  item: unknown,
  path: string,
  ctx: Pick<PrepareContext, 'now' | 'categories'>,
): ErrorDetail[] {
  const out = schemaErrors(validateShape, item, path);
  if (typeof item !== 'object' || item === null) return out;
  const e = item as Partial<Record<keyof EventInput, unknown>>;
  const has = (field: string) => out.some((d) => d.path === `${path}/${field}`);
  if (typeof e.occurredAt === 'string' && !has('occurredAt')) {
    const ms = parseRfc3339(e.occurredAt);
    if (ms !== null && ms > ctx.now + LIMITS.futureSkewMs) {
      out.push({ path: `${path}/occurredAt`, message: 'is more than 5 minutes in the future' });
    }
  }
  if (typeof e.category === 'string' && !ctx.categories.has(e.category)) {
    out.push({ path: `${path}/category`, message: `must be one of: ${[...ctx.categories].join(', ')}` });
  }
  if (typeof e.ip === 'string' && !isValidIp(e.ip)) {
    out.push({ path: `${path}/ip`, message: 'must be a valid IPv4 or IPv6 address' });
  }
  return out;
}

/** `Carrier` + `update` → `carrier.update`: the default event type. */
export function defaultEventType(targetType: string, action: string): string {
  const base = targetType
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${base || 'entity'}.${action}`;
}

function prepareEvent(e: EventInput, ctx: PrepareContext): PreparedEvent {
  const { tenant, redactor } = ctx;
  const occurredMs = e.occurredAt === undefined ? ctx.now : parseRfc3339(e.occurredAt)!;
  const oldValue = redactor.redact(tenant, e.oldValue ?? null);
  const newValue = redactor.redact(tenant, e.newValue ?? null);
  const metadata =
    e.metadata === undefined ? undefined : (redactor.redact(tenant, e.metadata) as Record<string, unknown>);
  const reason = e.reason === undefined ? undefined : redactor.redactText(tenant, e.reason);
  const userAgent = e.userAgent === undefined ? undefined : redactor.redactText(tenant, e.userAgent);
  const actor = { ...e.actor, type: e.actor.type ?? 'user' };
  const eventType = e.eventType ?? defaultEventType(e.target.type, e.action);
  const content = {
    id: e.id ?? newId(),
    occurredAt: formatTimestamp(occurredMs),
    actor,
    action: e.action,
    eventType,
    category: e.category,
    target: e.target,
    oldValue,
    newValue,
    changes: diffValues(oldValue, newValue),
    ip: e.ip,
    userAgent,
    sessionId: e.sessionId,
    requestId: e.requestId,
    reason,
    metadata,
  };
  const search = new SearchStrings()
    .add(actor.id)
    .add(actor.username)
    .add(actor.displayName)
    .add(e.action)
    .add(eventType)
    .add(e.category)
    .add(e.target.type)
    .add(e.target.id)
    .add(e.target.name)
    .add(`${e.target.type}: ${e.target.name ?? e.target.id}`)
    .add(e.ip)
    .add(userAgent)
    .add(reason)
    .addJson(oldValue)
    .addJson(newValue)
    .addJson(metadata);
  return {
    stream: 'event',
    id: content.id,
    idProvided: e.id !== undefined,
    occurredAtProvided: e.occurredAt !== undefined,
    occurredMs,
    receivedMs: ctx.now,
    body: canonicalJson(content),
    search: search.toArray(),
    columns: {
      actorId: actor.id,
      actorUsername: actor.username ?? null,
      actorUsernameFolded: actor.username === undefined ? null : fold(actor.username),
      actorDisplayName: actor.displayName ?? null,
      action: e.action,
      category: e.category,
      eventType,
      targetType: e.target.type,
      targetId: e.target.id,
      targetIdFolded: fold(e.target.id),
      targetNameFolded: e.target.name === undefined ? null : fold(e.target.name),
      ipKey: e.ip === undefined ? null : ipKey(e.ip),
      sessionId: e.sessionId ?? null,
    },
  };
}
