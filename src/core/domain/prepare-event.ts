import { splitBatchOrUndefined } from './batch-body.js';
import { canonicalJson } from './canonical-json.js';
import { defaultEventType } from './default-event-type.js';
import { diffValues } from './diff.js';
import type { PreparedEvent } from './entry.js';
import { AuditError, type ErrorDetail, invalidEvent } from './errors.js';
import { entryDigest } from './hash-chain.js';
import { newId } from './ids.js';
import { inspectJson, pointerToken, withProblems } from './inspect-json.js';
import { ipKey, isValidIp } from './ip.js';
import type { Redactor } from './redact.js';
import { reservedFieldErrors } from './reserved-events.js';
import { compileSchema, schemaErrors } from './schema-validator.js';
import { EVENT_TYPE_MAX_LENGTH, EventInput, LIMITS } from './schemas/event-schema.js';
import { SearchStrings } from './search-text.js';
import { type EventShredder, shredEvent } from './shred-event.js';
import { fold } from './text-fold.js';
import { formatTimestamp, parseRfc3339 } from './time.js';
import { dotSegmentErrors } from './url-segment.js';

export interface PrepareContext {
  tenant: string;
  now: number;
  categories: ReadonlySet<string>;
  redactor: Redactor;
  /** The log's own records and an operator's import of an export: reserved types and actors allowed. */
  allowReserved?: boolean;
  /** Encrypts personal fields under subject keys (crypto-shredding); absent: stored in clear. */
  shredder?: EventShredder;
  /** The batch went through checkEvents already (the caller resolved subject keys in between). */
  checked?: boolean;
}

const MAX_VALUE_DEPTH = 64;
/** Compiled on first use (compileSchema caches): a command that validates nothing does not pay Ajv's compile. */
const validateShape = () => compileSchema(EventInput);

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
  if (!ctx.checked) checkEvents(items, paths, ctx);
  const receivedAt = formatTimestamp(ctx.now);
  return items.map((item) => prepareEvent(item as EventInput, ctx, receivedAt));
}

/**
 * Throws the errors `prepareEvents` would, without preparing anything (import's first pass). Sizes and
 * nesting come first, from one walk that stops at the limits: a hostile body costs a bounded walk, never
 * the validation, redaction, diff and canonicalisation of megabytes that will be refused anyway.
 */
export function checkEvents(
  items: readonly unknown[],
  paths: readonly string[],
  ctx: Pick<PrepareContext, 'now' | 'categories' | 'allowReserved'>,
): void {
  const tooLarge: ErrorDetail[] = [];
  const invalid: ErrorDetail[] = [];
  items.forEach((item, i) => {
    const path = paths[i]!;
    const walk = inspectEvent(item, path);
    if (walk.tooDeep.length > 0) invalid.push(...walk.tooDeep);
    else if (walk.tooLarge.length > 0) tooLarge.push(...walk.tooLarge);
    else invalid.push(...withProblems(eventErrors(item, path, ctx), walk.problems));
  });
  if (tooLarge.length > 0) throw eventsTooLarge(tooLarge);
  if (invalid.length > 0) throw invalidEvent(invalid.slice(0, 50));
}

const eventsTooLarge = (details: ErrorDetail[]) =>
  new AuditError('payload_too_large', 'An event or one of its values is too large', details.slice(0, 50));

/**
 * The 413 that `checkEvents` throws for this body (one event or a batch, as parsed), from the sizes and
 * nesting alone, or undefined when it throws none: for a large body checked off the event loop before it is
 * parsed there (server/large-bodies.ts). Which answer comes first is checkEvents' own, so nothing else of the
 * body needs checking to know it.
 */
export function eventsSizeError(body: unknown): AuditError | undefined {
  const batch = splitBatchOrUndefined(body);
  if (!batch) return undefined;
  const tooLarge: ErrorDetail[] = [];
  batch.items.forEach((item, i) => {
    const walk = inspectEvent(item, batch.paths[i]!);
    if (walk.tooDeep.length === 0) tooLarge.push(...walk.tooLarge);
  });
  return tooLarge.length > 0 ? eventsTooLarge(tooLarge) : undefined;
}

const FIELD_BYTES: Partial<Record<string, number>> = {
  oldValue: LIMITS.valueBytes,
  newValue: LIMITS.valueBytes,
  metadata: LIMITS.metadataBytes,
};

/** One bounded walk per field: nesting, the size limits of docs/api.md, and values JSON cannot carry exactly. */
function inspectEvent(
  item: unknown,
  path: string,
): { tooDeep: ErrorDetail[]; tooLarge: ErrorDetail[]; problems: ErrorDetail[] } {
  const out = { tooDeep: [] as ErrorDetail[], tooLarge: [] as ErrorDetail[], problems: [] as ErrorDetail[] };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return out;
  let total = 2;
  const record = item as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    const value = record[field];
    if (value === undefined) continue;
    const budget = LIMITS.eventBytes - total;
    const limit = FIELD_BYTES[field];
    // The field's pointer is written only for an error (inspectJson takes the key), not for every valid field.
    const walk = inspectJson(
      value,
      path,
      { maxDepth: MAX_VALUE_DEPTH, maxBytes: limit === undefined ? budget : Math.min(limit, budget) },
      field,
    );
    if (walk.tooDeep) {
      out.tooDeep.push({
        path: `${path}/${pointerToken(field)}`,
        message: `must not nest deeper than ${MAX_VALUE_DEPTH} levels`,
      });
    }
    out.problems.push(...walk.problems);
    total += walk.bytes + Buffer.byteLength(field) + (total === 2 ? 3 : 4);
    if (walk.tooLarge && limit !== undefined && walk.bytes > limit) {
      out.tooLarge.push({
        path: `${path}/${pointerToken(field)}`,
        message: `is over ${limit} bytes serialized; at most ${limit}`,
      });
    } else if (walk.tooLarge || total > LIMITS.eventBytes) {
      out.tooLarge.push({
        path,
        message: `is over ${LIMITS.eventBytes} bytes; an event may hold at most that`,
      });
      break;
    }
  }
  return out;
}

/** Schema errors plus the rules a schema cannot say; every problem of the event, each with its path. */
function eventErrors(
  item: unknown,
  path: string,
  ctx: Pick<PrepareContext, 'now' | 'categories' | 'allowReserved'>,
): ErrorDetail[] {
  const out = schemaErrors(validateShape(), item, path);
  if (typeof item !== 'object' || item === null) return out;
  const e = item as Partial<Record<keyof EventInput, unknown>>;
  const target = ((typeof e.target === 'object' && e.target) || {}) as { type?: unknown; id?: unknown };
  const defaultType =
    typeof target.type === 'string' && typeof e.action === 'string'
      ? defaultEventType(target.type, e.action)
      : undefined;
  if (!ctx.allowReserved) out.push(...reservedFieldErrors(e, path, defaultType));
  // The type an event is stored with must be one the API accepts: else its export would not import again.
  if (e.eventType === undefined && defaultType !== undefined && defaultType.length > EVENT_TYPE_MAX_LENGTH)
    out.push({
      path: `${path}/target/type`,
      message: `gives a default event type of ${defaultType.length} characters, over ${EVENT_TYPE_MAX_LENGTH}; send an eventType`,
    });
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
  out.push(
    ...dotSegmentErrors(
      { id: e.id, sessionId: e.sessionId, 'target/type': target.type, 'target/id': target.id },
      path,
    ),
  );
  return out;
}

function prepareEvent(e: EventInput, ctx: PrepareContext, receivedAt: string): PreparedEvent {
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
  // Members in canonical (code-unit) order: the canonical body then copies nothing at this level.
  const clear = {
    action: e.action,
    actor,
    category: e.category,
    changes: diffValues(oldValue, newValue),
    eventType,
    id: e.id ?? newId(),
    ip: e.ip,
    metadata,
    newValue,
    occurredAt: formatTimestamp(occurredMs),
    oldValue,
    reason,
    requestId: e.requestId,
    sessionId: e.sessionId,
    target: e.target,
    userAgent,
  };
  const clearColumns = {
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
  };
  const shred = ctx.shredder;
  const { content, columns } = shred
    ? shredEvent(clear, clearColumns, shred)
    : { content: clear, columns: clearColumns };
  const search = new SearchStrings();
  // Personal strings stay out of the keyword index when encrypted: filters find them by blind index.
  if (!shred) search.add(actor.id).add(actor.username).add(actor.displayName);
  search
    .add(e.action)
    .add(eventType)
    .add(e.category)
    .add(e.target.type)
    .add(e.target.id)
    .add(e.target.name)
    .add(`${e.target.type}: ${e.target.name ?? e.target.id}`);
  if (!shred) search.add(e.ip).add(userAgent);
  search.add(reason).addJson(content.oldValue).addJson(content.newValue).addJson(content.metadata);
  const body = canonicalJson(content);
  return {
    stream: 'event',
    id: content.id,
    idProvided: e.id !== undefined,
    occurredAtProvided: e.occurredAt !== undefined,
    occurredMs,
    receivedMs: ctx.now,
    body,
    search: search.toArray(),
    columns,
    digest: entryDigest('event', receivedAt, body),
  };
}
