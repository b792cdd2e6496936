import { retryAfterMs } from './backoff.js';
import type { EntryKind } from './spool.js';

/** What one POST of a batch came to. */
export type SendOutcome =
  | { kind: 'sent' }
  /**
   * Worth trying again later: the network, 408, 429, 5xx, 401/403/404 (a token or URL to fix), and an
   * answer that is not the service's (a 2xx other than its 201 and its body: a wrong URL).
   */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  /** Refused for good (400, 409, 413, other 4xx): retrying the same bytes can never succeed. */
  | { kind: 'refused'; status: number; code: string; reason: string };

const PATHS: Record<EntryKind, string> = { event: '/v1/events', auth: '/v1/auth-events' };

export interface TransportOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** Aborts the request in flight (close() when its flush time is up). */
  signal?: AbortSignal;
}

/** POSTs one batch of events of one kind and classifies the answer. */
export async function sendBatch(
  options: TransportOptions,
  kind: EntryKind,
  events: Record<string, unknown>[],
): Promise<SendOutcome> {
  let res: Response;
  try {
    // Relative to the base URL, so that a service behind a path prefix (https://host/audit/) works.
    const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
    res = await fetch(new URL(PATHS[kind].slice(1), base), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
      signal: options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
        : AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return { kind: 'retry', reason: describeNetworkError(error) };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) {
    if (res.status === 201 && acknowledgesAll(text, events)) return { kind: 'sent' };
    // Something answered, but not the audit service (a wrong URL, a proxy's page): the events are not
    // stored, and nothing is wrong with them. Retried, never dead-lettered, like a 404.
    return {
      kind: 'retry',
      status: res.status,
      reason: `${res.status} is not the audit service's answer (201 with the events stored) — is url right? ${text.slice(0, 200)}`,
    };
  }
  const error = parseError(text);
  const reason = `${res.status} ${error.code}: ${error.message}`;
  // 401, 403 and 404 say the client is misconfigured (token, scope, URL), not that the event is wrong: dead-
  // lettering the whole spool for a typo in the URL would be worse than waiting for the operator.
  const retryable = [401, 403, 404, 408, 429].includes(res.status) || res.status >= 500;
  if (retryable)
    return {
      kind: 'retry',
      status: res.status,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      reason,
    };
  return { kind: 'refused', status: res.status, code: error.code, reason };
}

/** The service's 201: `{ events: [{ id, … }] }`, one per event sent, in order. */
function acknowledgesAll(text: string, events: Record<string, unknown>[]): boolean {
  try {
    const body = JSON.parse(text) as { events?: { id?: unknown }[] };
    return (
      Array.isArray(body.events) &&
      body.events.length === events.length &&
      body.events.every((e, i) => e?.id === events[i]!.id)
    );
  } catch {
    return false;
  }
}

function parseError(text: string): { code: string; message: string; details?: unknown } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code)
      return {
        code: body.error.code,
        message: [body.error.message ?? '', detailText(body.error.details)].filter(Boolean).join(' — '),
      };
  } catch {}
  return { code: 'unknown', message: text.slice(0, 500) };
}

function detailText(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details
    .slice(0, 5)
    .map((d: { path?: string; message?: string }) => `${d.path ?? ''} ${d.message ?? ''}`.trim())
    .join('; ');
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  if (e.name === 'AbortError') return 'aborted: the client is closing';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
