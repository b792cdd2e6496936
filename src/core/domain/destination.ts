import {
  lowerScheme,
  natsServersProblem,
  syslogHostProblem,
  webhookUrlProblem,
} from './destination-address.js';
import type { Stream } from './entry.js';
import { AuditError, type ErrorDetail } from './errors.js';
import type { DestinationKind, PayloadFormat } from './schemas/destination-schema.js';
import { formatTimestamp } from './time.js';
import { restoreUrlSecrets } from './url-secrets.js';

/** The settings of a destination that are not secret, kept as one JSON document by the stores. */
export interface DestinationSettings {
  format: PayloadFormat;
  url?: string;
  host?: string;
  port?: number;
  tls?: boolean;
  caPem?: string;
  /** syslog: the longest message the receiver takes whole (default DEFAULT_SYSLOG_MAX_MESSAGE). */
  maxMessageSize?: number;
  servers?: string;
  subject?: string;
  filter: { streams?: ('admin' | 'auth')[]; categories?: string[]; eventTypes?: string[] };
  batchSize: number;
}

/** A destination as the store keeps it: settings, its sealed secret, its state and its delivery progress. */
export interface DestinationRecord {
  id: string;
  tenant: string;
  name: string;
  kind: DestinationKind;
  settings: DestinationSettings;
  /** The secrets (webhook signing keys), sealed with the store's destination key (destination-secrets.ts). */
  secretBox: string | null;
  /** Not secret: the Ed25519 public key receivers verify `v1a` signatures with. */
  publicKey: string | null;
  secretFingerprint: string | null;
  state: 'active' | 'paused';
  pausedReason: string | null;
  createdMs: number;
  updatedMs: number;
  progress: DeliveryProgress;
  /** Bumped by every replay, so that progress recorded by a delivery that started before it is discarded. */
  generation: number;
}

export interface DeliveryProgress {
  /** Every entry up to this seq has been delivered or filtered out. */
  cursorSeq: number;
  deliveredMs: number | null;
  lastError: string | null;
  failures: number;
  nextAttemptMs: number;
}

export const NO_PROGRESS: DeliveryProgress = {
  cursorSeq: 0,
  deliveredMs: null,
  lastError: null,
  failures: 0,
  nextAttemptMs: 0,
};

export const DEFAULT_BATCH_SIZE = 100;

/** The fields of the create/update body that name settings (the rest: kind, name). */
const SETTING_KEYS = [
  'format',
  'url',
  'host',
  'port',
  'tls',
  'caPem',
  'maxMessageSize',
  'servers',
  'subject',
  'filter',
  'batchSize',
] as const;

/**
 * The settings after a create or an update (`base` + the body's fields), checked against what the kind
 * needs. The body passed its schema already; this adds the rules between fields. Throws 400 naming them.
 */
export function settingsFor(
  kind: DestinationKind,
  base: DestinationSettings | undefined,
  body: Record<string, unknown>,
): DestinationSettings {
  const merged: Record<string, unknown> = {
    ...(base ?? { format: 'json', filter: {}, batchSize: DEFAULT_BATCH_SIZE }),
  };
  for (const k of SETTING_KEYS) if (body[k] !== undefined) merged[k] = body[k];
  const details: ErrorDetail[] = [];
  if (typeof body.servers === 'string') merged.servers = body.servers.split(',').map(lowerScheme).join(',');
  if (typeof body.url === 'string') {
    const restored = restoreUrlSecrets(lowerScheme(body.url), base?.url);
    if ('error' in restored) details.push({ path: '/url', message: restored.error });
    else merged.url = restored.url;
  }
  const s = merged as unknown as DestinationSettings;
  const need = (key: keyof DestinationSettings, why: string) => {
    if (s[key] === undefined) details.push({ path: `/${key}`, message: `is required for ${why}` });
  };
  const refuse = (keys: (keyof DestinationSettings)[]) => {
    for (const key of keys)
      if (body[key] !== undefined)
        details.push({ path: `/${key}`, message: `does not apply to a ${kind} destination` });
  };
  if (kind === 'webhook') {
    need('url', 'a webhook');
    refuse(['host', 'port', 'tls', 'caPem', 'maxMessageSize', 'servers', 'subject']);
    const problem = s.url === undefined ? null : webhookUrlProblem(s.url);
    if (problem) details.push({ path: '/url', message: problem });
  } else if (kind === 'syslog') {
    need('host', 'syslog');
    need('port', 'syslog');
    refuse(['url', 'servers', 'subject']);
    const problem = s.host === undefined ? null : syslogHostProblem(s.host);
    if (problem) details.push({ path: '/host', message: problem });
    if (s.caPem !== undefined && !s.caPem.includes('-----BEGIN CERTIFICATE-----'))
      details.push({ path: '/caPem', message: 'must be PEM certificates' });
  } else {
    need('servers', 'NATS');
    need('subject', 'NATS');
    refuse(['url', 'host', 'port', 'tls', 'caPem', 'maxMessageSize']);
    const problem = s.servers === undefined ? null : natsServersProblem(s.servers);
    if (problem) details.push({ path: '/servers', message: problem });
    if (s.subject !== undefined && !/^[^\s*>.]+(\.[^\s*>.]+)*$/.test(s.subject))
      details.push({ path: '/subject', message: 'must be a subject without spaces or wildcards' });
  }
  if (s.format === 'cef' && kind !== 'syslog')
    details.push({ path: '/format', message: 'cef is a syslog format; use json or ocsf' });
  if (details.length > 0) throw new AuditError('invalid_request', 'The destination is not valid', details);
  return s;
}

/** Where the entries go: a change here is a new receiver (its backoff starts again). */
const TARGET_KEYS = ['url', 'host', 'port', 'tls', 'caPem', 'servers', 'subject'] as const;

export function targetChanged(before: DestinationSettings, after: DestinationSettings): boolean {
  return TARGET_KEYS.some((k) => before[k] !== after[k]);
}

/** The facts of an entry a filter looks at. */
export interface EntryFacts {
  stream: Stream;
  category?: string;
  /** An administrative event's eventType, or a sign-in's type (login_success …). */
  eventType: string;
}

export function matchesFilter(filter: DestinationSettings['filter'], e: EntryFacts): boolean {
  // An empty list means all, as for categories and event types.
  if (filter.streams?.length && !filter.streams.includes(e.stream === 'event' ? 'admin' : 'auth'))
    return false;
  // Categories are administrative events' alone: they do not keep sign-ins out of a destination of both.
  if (
    filter.categories?.length &&
    e.stream === 'event' &&
    (e.category === undefined || !filter.categories.includes(e.category))
  )
    return false;
  if (filter.eventTypes?.length && !filter.eventTypes.includes(e.eventType)) return false;
  return true;
}

export interface RetryPolicy {
  /** The first retry's delay; each further failure doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures after which the destination is paused (its error kept for people to see). */
  maxFailures: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 300_000, maxFailures: 20 };

/**
 * Exponential backoff with full jitter (a random delay between half and all of the doubled delay), so that
 * many nodes retrying one receiver that came back do not hit it in step.
 */
export function retryDelayMs(policy: RetryPolicy, failures: number, random: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(exp / 2 + (exp / 2) * random);
}

/** Error texts stay short and printable: they are shown in the UI and in the status. */
export function errorText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
  const base = typeof e?.message === 'string' ? e.message : String(error);
  const cause = e?.cause && typeof e.cause.message === 'string' ? `: ${e.cause.message}` : '';
  return `${base}${cause}`.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 500);
}

/** A destination as shown: its settings and state, never its secret. */
export function publicSettings(d: DestinationRecord) {
  return {
    id: d.id,
    tenant: d.tenant,
    name: d.name,
    kind: d.kind,
    ...d.settings,
    state: d.state,
    pausedReason: d.pausedReason,
    ...(d.publicKey ? { publicKey: d.publicKey } : {}),
    secretFingerprint: d.secretFingerprint,
    createdAt: formatTimestamp(d.createdMs),
    updatedAt: formatTimestamp(d.updatedMs),
  };
}
