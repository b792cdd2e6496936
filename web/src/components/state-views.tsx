import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** An error in words a reader can act on; the contract's code and details when the server sent them. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = error instanceof ApiError ? error : null;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>{title(e)}</strong>
      <div>{message}</div>
      {e && e.details.length > 0 ? (
        <ul>
          {e.details.map((d) => (
            <li key={d.path + d.message}>
              <code>{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** For endpoints the connected server does not provide yet (an older server version). */
export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-empty" role="status">
      <strong>{what} is not available on this server.</strong>
      <div>The server does not provide this endpoint yet; update auditlog to see it here.</div>
    </div>
  );
}

function title(e: ApiError | null): string {
  if (e?.status === 400) return 'The server did not accept this query';
  if (e?.status === 403) return 'Not allowed';
  if (e?.code === 'network') return 'No connection';
  return 'Something went wrong';
}
