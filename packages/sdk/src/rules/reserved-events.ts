import type { ErrorDetail } from './errors.js';

/** Event types of the log's own records (`auditlog.token_created`, `auditlog.export`, …). */
export const RESERVED_EVENT_TYPE_PREFIX = 'auditlog.';

/** Actor ids the log writes its own records as: `token:<id>` (an API token), `cli:<user>` (the CLI). */
const RESERVED_ACTOR_ID = /^(token|cli)\s*:/;

/**
 * A value as a reader would take it: compatibility forms (a full-width colon, ligatures), case and surrounding
 * space do not make `TOKEN:abc`, ` cli：root` or `AUDITLOG.x` any less like the log's own records to a person.
 */
const lookalike = (text: string) => (ASCII.test(text) ? text : text.normalize('NFKC')).trim().toLowerCase();
/** Printable ASCII is its own NFKC form: most ids and types skip the normalisation (on every ingested event). */
const ASCII = /^[\x20-\x7e]*$/;

const RESERVED = `is reserved for the log's own records (event types beginning ${RESERVED_EVENT_TYPE_PREFIX})`;

/**
 * What marks a record as the log's own administration — an `auditlog.` event type, or an actor id the log
 * writes as — MUST NOT come from a client: an ingest token could otherwise post records indistinguishable
 * from the log's token and export records. Only the log itself (self-audit) and an operator importing an
 * export of the log (`auditlog import`) may write them. `defaultType` is the type an event that names none
 * gets (`<target type>.<action>`, which can fall into the reserved prefix too).
 */
export function reservedFieldErrors(
  event: { eventType?: unknown; actor?: unknown },
  path: string,
  defaultType: string | undefined,
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (
    typeof event.eventType === 'string' &&
    lookalike(event.eventType).startsWith(RESERVED_EVENT_TYPE_PREFIX)
  ) {
    out.push({ path: `${path}/eventType`, message: RESERVED });
  } else if (
    event.eventType === undefined &&
    defaultType !== undefined &&
    lookalike(defaultType).startsWith(RESERVED_EVENT_TYPE_PREFIX)
  ) {
    out.push({
      path: `${path}/target/type`,
      message: `gives the default event type ${defaultType}, which ${RESERVED}; send an eventType`,
    });
  }
  const actorId =
    typeof event.actor === 'object' && event.actor !== null
      ? (event.actor as { id?: unknown }).id
      : undefined;
  if (typeof actorId === 'string' && RESERVED_ACTOR_ID.test(lookalike(actorId))) {
    out.push({
      path: `${path}/actor/id`,
      message: `is reserved for the log's own records (actor ids beginning "token:" or "cli:")`,
    });
  }
  return out;
}
