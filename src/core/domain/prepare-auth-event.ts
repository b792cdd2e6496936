import { splitBatchOrUndefined } from './batch-body.js';
import { canonicalJson } from './canonical-json.js';
import type { PreparedAuthEvent } from './entry.js';
import { AuditError, type ErrorDetail, invalidEvent } from './errors.js';
import { entryDigest } from './hash-chain.js';
import { newId } from './ids.js';
import { inspectJson, withProblems } from './inspect-json.js';
import { ipKey, isValidIp } from './ip.js';
import { compileSchema, schemaErrors } from './schema-validator.js';
import { type AuthEventInput, AuthEventInput as AuthEventSchema } from './schemas/auth-event-schema.js';
import { LIMITS } from './schemas/event-schema.js';
import { SearchStrings } from './search-text.js';
import { shredAuthEvent } from './shred-auth-event.js';
import type { EventShredder } from './shred-event.js';
import { fold } from './text-fold.js';
import { formatTimestamp, parseRfc3339 } from './time.js';
import { dotSegmentErrors } from './url-segment.js';

/** Compiled on first use (compileSchema caches): a command that validates nothing does not pay Ajv's compile. */
const validateShape = () => compileSchema(AuthEventSchema);

/**
 * Validates and prepares authentication events (all or nothing, every error with its path). Beyond the
 * schema, the rules per type: a `login_success` needs a method and a session id; a `login_failure` needs a
 * reason (and may name a user that does not exist); every other type needs a session id.
 */
export function prepareAuthEvents(
  items: readonly unknown[],
  paths: readonly string[],
  now: number,
  redactText: (text: string) => string,
  shred?: { shredder: EventShredder; checked: boolean },
): PreparedAuthEvent[] {
  if (!shred?.checked) checkAuthEvents(items, paths, now);
  const received = { ms: now, at: formatTimestamp(now) };
  return items.map((item) => prepareAuthEvent(item as AuthEventInput, received, redactText, shred?.shredder));
}

/** Every problem of the batch, thrown as one error; nothing is prepared when one event is invalid. */
export function checkAuthEvents(items: readonly unknown[], paths: readonly string[], now: number): void {
  const invalid: ErrorDetail[] = [];
  items.forEach((item, i) => {
    const path = paths[i]!;
    // One bounded walk first: a hostile body is refused before any other work.
    const walk = walkAuthEvent(item, path);
    if (walk.error) throw walk.error;
    invalid.push(...withProblems(authEventErrors(item, path, now), walk.problems));
  });
  if (invalid.length > 0) throw invalidEvent(invalid.slice(0, 50));
}

function walkAuthEvent(item: unknown, path: string): { error?: AuditError; problems: ErrorDetail[] } {
  const walk = inspectJson(item, path, { maxDepth: 8, maxBytes: LIMITS.eventBytes });
  if (walk.tooDeep) {
    return {
      error: invalidEvent([{ path, message: 'is nested too deeply for an authentication event' }]),
      problems: [],
    };
  }
  if (walk.tooLarge) {
    const detail = { path, message: `may hold at most ${LIMITS.eventBytes} bytes` };
    return { error: new AuditError('payload_too_large', 'An event is too large', [detail]), problems: [] };
  }
  return { problems: walk.problems };
}

/**
 * The 413 that `checkAuthEvents` throws for this body (as parsed), from the sizes and nesting alone, or
 * undefined when it throws none (see eventsSizeError): the first event too deep or too large decides.
 */
export function authSizeError(body: unknown): AuditError | undefined {
  const batch = splitBatchOrUndefined(body);
  if (!batch) return undefined;
  for (const [i, item] of batch.items.entries()) {
    const { error } = walkAuthEvent(item, batch.paths[i]!);
    if (error) return error.code === 'payload_too_large' ? error : undefined;
  }
  return undefined;
}

function authEventErrors(item: unknown, path: string, now: number): ErrorDetail[] {
  const out = schemaErrors(validateShape(), item, path);
  if (typeof item !== 'object' || item === null) return out;
  const e = item as Partial<Record<keyof AuthEventInput, unknown>>;
  const missing = (field: string, why: string) => {
    if (e[field as keyof AuthEventInput] === undefined) out.push({ path: `${path}/${field}`, message: why });
  };
  if (e.type === 'login_success') {
    missing('method', 'is required for login_success');
    missing('sessionId', 'is required for login_success');
  } else if (e.type === 'login_failure') {
    missing('reason', 'is required for login_failure');
  } else if (typeof e.type === 'string') {
    missing('sessionId', `is required for ${e.type}`);
  }
  if (e.reason !== undefined && e.type !== 'login_failure' && typeof e.type === 'string') {
    out.push({ path: `${path}/reason`, message: 'is only allowed on login_failure' });
  }
  if (typeof e.ip === 'string' && !isValidIp(e.ip)) {
    out.push({ path: `${path}/ip`, message: 'must be a valid IPv4 or IPv6 address' });
  }
  out.push(...dotSegmentErrors({ sessionId: e.sessionId }, path));
  if (typeof e.occurredAt === 'string') {
    const ms = parseRfc3339(e.occurredAt);
    if (ms !== null && ms > now + LIMITS.futureSkewMs) {
      out.push({ path: `${path}/occurredAt`, message: 'is more than 5 minutes in the future' });
    }
  }
  return out;
}

function prepareAuthEvent(
  e: AuthEventInput,
  received: { ms: number; at: string },
  redactText: (text: string) => string,
  shredder: EventShredder | undefined,
): PreparedAuthEvent {
  const occurredMs = e.occurredAt === undefined ? received.ms : parseRfc3339(e.occurredAt)!;
  // The one free-text field (reason is an enum); ids and names are kept as sent.
  const userAgent = e.userAgent === undefined ? undefined : redactText(e.userAgent);
  const content = {
    id: e.id ?? newId(),
    type: e.type,
    occurredAt: formatTimestamp(occurredMs),
    user: e.user,
    method: e.method,
    sessionId: e.sessionId,
    reason: e.reason,
    ip: e.ip,
    userAgent,
  };
  const folded = fold(e.user.username);
  const key = ipKey(e.ip)!;
  const clearColumns = {
    type: e.type,
    userId: e.user.id ?? null,
    username: e.user.username,
    usernameFolded: folded,
    displayName: e.user.displayName ?? null,
    method: e.method ?? null,
    reason: e.reason ?? null,
    sessionId: e.sessionId ?? null,
    ip: e.ip,
    ipKey: key,
    userAgent: userAgent ?? null,
  };
  const { content: stored, columns } = shredder
    ? shredAuthEvent(content, clearColumns, shredder, folded, key)
    : { content, columns: clearColumns };
  const search = new SearchStrings();
  // Encrypted, the personal strings stay out of the keyword index: `user=` and `ip=` find them by blind index.
  if (!shredder) search.add(e.user.username).add(e.user.displayName);
  search.add(e.type).add(e.method).add(e.reason);
  if (!shredder) search.add(e.ip).add(userAgent);
  const body = canonicalJson(stored);
  return {
    stream: 'auth',
    id: content.id,
    idProvided: e.id !== undefined,
    occurredAtProvided: e.occurredAt !== undefined,
    occurredMs,
    receivedMs: received.ms,
    body,
    search: search.toArray(),
    columns,
    digest: entryDigest('auth', received.at, body),
  };
}
