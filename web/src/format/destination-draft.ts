import type { DestinationCreateBody, DestinationUpdateBody } from '../api/destination-types.ts';
import type { Destination } from '../api/types.ts';

export type DestinationKind = DestinationCreateBody['kind'];
export type PayloadFormat = NonNullable<DestinationCreateBody['format']>;

/** What the destination form edits: text as typed; turned into a request body only on submit. */
export interface DestinationDraft {
  kind: DestinationKind;
  name: string;
  format: PayloadFormat;
  url: string;
  host: string;
  port: string;
  tls: boolean;
  caPem: string;
  maxMessageSize: string;
  servers: string;
  subject: string;
  admin: boolean;
  auth: boolean;
  categories: string[];
  eventTypes: string;
  batchSize: string;
}

/** The form's field keys, as the server's error paths name them (formErrors sorts details onto them). */
export const FIELD_KEYS = [
  'kind',
  'name',
  'format',
  'url',
  'host',
  'port',
  'tls',
  'caPem',
  'maxMessageSize',
  'servers',
  'subject',
  'filter.streams',
  'filter.categories',
  'filter.eventTypes',
  'batchSize',
] as const;

export const FIELD_LABELS: Record<string, string> = {
  kind: 'Kind',
  name: 'Name',
  format: 'Format',
  url: 'URL',
  host: 'Host',
  port: 'Port',
  tls: 'TLS',
  caPem: 'CA certificates',
  maxMessageSize: 'Max message size',
  servers: 'Servers',
  subject: 'Subject',
  'filter.streams': 'Entries',
  'filter.categories': 'Categories',
  'filter.eventTypes': 'Event types',
  batchSize: 'Batch size',
};

export const emptyDraft = (): DestinationDraft => ({
  kind: 'webhook',
  name: '',
  format: 'json',
  url: '',
  host: '',
  port: '',
  tls: false,
  caPem: '',
  maxMessageSize: '',
  servers: '',
  subject: '',
  admin: true,
  auth: true,
  categories: [],
  eventTypes: '',
  batchSize: '100',
});

export function draftOf(d: Destination): DestinationDraft {
  const streams = d.filter.streams?.length ? d.filter.streams : ['admin', 'auth']; // empty: all
  return {
    ...emptyDraft(),
    kind: d.kind as DestinationKind,
    name: d.name,
    format: d.format as PayloadFormat,
    url: d.url ?? '',
    host: d.host ?? '',
    port: d.port === undefined ? '' : String(d.port),
    tls: d.tls ?? false,
    caPem: d.caPem ?? '',
    maxMessageSize: d.maxMessageSize === undefined ? '' : String(d.maxMessageSize),
    servers: d.servers ?? '',
    subject: d.subject ?? '',
    admin: streams.includes('admin'),
    auth: streams.includes('auth'),
    categories: d.filter.categories ?? [],
    eventTypes: (d.filter.eventTypes ?? []).join(', '),
    batchSize: String(d.batchSize),
  };
}

/** The API's bounds for a syslog destination's maxMessageSize (bytes); a test holds them to the schema's. */
export const MAX_MESSAGE_SIZE = { minimum: 2048, maximum: 1_048_576, default: 8096 } as const;

/**
 * What the form refuses before sending, by field key: the same rules as the API's, with a message that says
 * the range (the API would refuse it too, naming the field). Empty when the draft may be sent.
 */
export function draftProblems(draft: DestinationDraft): Record<string, string[]> {
  const size = draft.maxMessageSize.trim();
  if (draft.kind !== 'syslog' || size === '') return {};
  const n = /^\d+$/.test(size) ? Number(size) : Number.NaN;
  if (n >= MAX_MESSAGE_SIZE.minimum && n <= MAX_MESSAGE_SIZE.maximum) return {};
  return {
    maxMessageSize: [
      `must be a whole number of bytes from ${MAX_MESSAGE_SIZE.minimum} to ${MAX_MESSAGE_SIZE.maximum}`,
    ],
  };
}

/**
 * A number field as typed: the number when it is one, else the text itself, so that the server refuses it
 * naming the field (the form never guesses).
 */
const numberOrText = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : v) as number;

/** The settings of the draft's kind (and the filter), without kind and name; empty texts left out. */
function settings(draft: DestinationDraft): DestinationUpdateBody {
  const text = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const kindFields: DestinationUpdateBody =
    draft.kind === 'webhook'
      ? { url: text(draft.url) }
      : draft.kind === 'syslog'
        ? {
            host: text(draft.host),
            port: draft.port.trim() === '' ? undefined : numberOrText(draft.port),
            tls: draft.tls,
            caPem: draft.tls && draft.caPem.trim() !== '' ? draft.caPem : undefined,
            maxMessageSize:
              draft.maxMessageSize.trim() === '' ? undefined : numberOrText(draft.maxMessageSize),
          }
        : { servers: text(draft.servers), subject: text(draft.subject) };
  const eventTypes = draft.eventTypes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const body: DestinationUpdateBody = {
    format: draft.format,
    ...kindFields,
    filter: {
      streams: [...(draft.admin ? ['admin' as const] : []), ...(draft.auth ? ['auth' as const] : [])],
      categories: draft.categories,
      eventTypes,
    },
    // Cleared, the optional field means the default (an empty text would be refused as no integer).
    batchSize: draft.batchSize.trim() === '' ? undefined : numberOrText(draft.batchSize),
  };
  return JSON.parse(JSON.stringify(body)) as DestinationUpdateBody;
}

export const createBody = (draft: DestinationDraft): DestinationCreateBody => ({
  kind: draft.kind,
  name: draft.name,
  ...settings(draft),
});

export const updateBody = (draft: DestinationDraft): DestinationUpdateBody => ({
  name: draft.name,
  ...settings(draft),
});
