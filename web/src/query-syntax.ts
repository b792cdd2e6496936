import type { AuditFilter } from './filters/audit-filter.ts';
import { fromLocalInput } from './filters/date-range.ts';

/**
 * The keyword box's query syntax. `key:value` terms set filters, everything else is keywords for the API's
 * `q` (quoted phrases stay quoted). Values may be quoted: `user:"jane admin"`. A term with an unknown key
 * (`10:30`, `http://x`) is an ordinary keyword, so nothing typed is lost.
 *
 *   user:jane.admin action:update category:telephony "trunk provider" after:2026-01-01 before:2026-02-01
 *   ip:10.0.0.0/8 target:john.smith type:Carrier id:trunk-provider-1 event:carrier.updated session:sess_1
 */

export interface QueryKey {
  key: string;
  description: string;
  example: string;
}

export const QUERY_KEYS: QueryKey[] = [
  {
    key: 'user',
    description: 'actor id or username (repeat for any of several)',
    example: 'user:jane.admin',
  },
  { key: 'action', description: 'create, update or delete', example: 'action:update' },
  { key: 'category', description: 'category key or label', example: 'category:telephony' },
  { key: 'after', description: 'on or after a date/time (local)', example: 'after:2026-01-01' },
  { key: 'before', description: 'before a date/time (local)', example: 'before:2026-01-31T18:00' },
  { key: 'ip', description: 'an address or CIDR block', example: 'ip:10.0.0.0/8' },
  { key: 'target', description: 'target id or name (exact)', example: 'target:trunk-provider-1' },
  { key: 'type', description: 'target type (exact)', example: 'type:Carrier' },
  { key: 'id', description: 'target id (exact)', example: 'id:trunk-provider-1' },
  { key: 'event', description: 'event type', example: 'event:user.role_changed' },
  { key: 'session', description: 'login session id', example: 'session:sess_63283f27' },
];

export interface ParsedQuery {
  /** Only the filters the text names; merge them over the current filter. */
  filters: Partial<AuditFilter>;
  /** What is left for `q`, terms separated by single spaces, phrases in quotes. */
  keywords: string;
  errors: string[];
}

interface Token {
  key?: string;
  value: string;
  quoted: boolean;
}

/** Splits on whitespace; `"…"` groups, also after `key:`. An unclosed quote runs to the end. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let key: string | undefined;
    const m = /^([A-Za-z]+):(?=\S)/.exec(text.slice(i));
    if (m) {
      key = m[1]!;
      i += m[0].length;
    }
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      const value = end === -1 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end === -1 ? text.length : end + 1;
      tokens.push({ key, value, quoted: true });
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!)) j++;
    tokens.push({ key, value: text.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

const ACTIONS = ['create', 'update', 'delete'];

/** Parses the keyword box. `categories` maps labels to keys, so `category:"Bulk Operations"` works too. */
export function parseQuery(text: string, categories: { key: string; label: string }[] = []): ParsedQuery {
  const filters: Partial<AuditFilter> = {};
  const keywords: string[] = [];
  const errors: string[] = [];
  const push = (k: 'users' | 'actions' | 'categories' | 'eventTypes', v: string) => {
    const list = filters[k] ?? [];
    if (!list.includes(v)) filters[k] = [...list, v];
  };
  for (const t of tokenize(text)) {
    const key = t.key?.toLowerCase();
    const value = t.value.trim();
    if (key && value === '') {
      errors.push(`${key}: needs a value`);
      continue;
    }
    switch (key) {
      case 'user':
        push('users', value);
        break;
      case 'action':
        if (ACTIONS.includes(value.toLowerCase())) push('actions', value.toLowerCase());
        else errors.push(`action: must be create, update or delete, not "${value}"`);
        break;
      case 'category': {
        const c = categories.find(
          (x) => x.key === value.toLowerCase() || x.label.toLowerCase() === value.toLowerCase(),
        );
        push('categories', c ? c.key : value);
        break;
      }
      case 'after':
      case 'before': {
        const iso = parseDate(value);
        if (!iso) {
          errors.push(`${key}: "${value}" is not a date (use 2026-01-31 or 2026-01-31T14:00)`);
          break;
        }
        filters.range = 'custom';
        filters[key === 'after' ? 'from' : 'to'] = iso;
        break;
      }
      case 'ip':
        filters.ip = value;
        break;
      case 'target':
        filters.target = value;
        break;
      case 'type':
        filters.targetType = value;
        break;
      case 'id':
        filters.targetId = value;
        break;
      case 'event':
        push('eventTypes', value);
        break;
      case 'session':
        filters.sessionId = value;
        break;
      default: {
        const word = t.key ? `${t.key}:${t.quoted ? `"${t.value}"` : t.value}` : t.value;
        if (word.trim() === '') break;
        keywords.push(t.quoted && !t.key ? `"${t.value}"` : word);
      }
    }
  }
  // A range that ends before it starts matches nothing: say so rather than show an empty page as an answer.
  if (filters.from && filters.to && Date.parse(filters.to) <= Date.parse(filters.from))
    errors.push('before: must be later than after');
  return { filters, keywords: keywords.join(' '), errors };
}

/** A date or local date-time as typed, or a full RFC 3339 timestamp, to RFC 3339 UTC. */
export function parseDate(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(value)) return fromLocalInput(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

/** Applies a parsed query: the filters it names replace the current ones, its keywords replace `q`. */
export function applyQuery(current: AuditFilter, parsed: ParsedQuery): AuditFilter {
  const next: AuditFilter = { ...current, ...parsed.filters };
  if (parsed.filters.range === 'custom' && current.range !== 'custom') {
    next.from = parsed.filters.from;
    next.to = parsed.filters.to;
  }
  next.q = parsed.keywords || undefined;
  return next;
}
