import { useId, useState } from 'react';
import type { Params } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';
import { useHasScope } from '../auth/token-info-provider.tsx';

const NO_SCOPE = 'Export needs a token with the export scope; this one can only read.';

/**
 * Export of the current filter as CSV or NDJSON: fetched with the Authorization header (the token never
 * goes into a URL) and saved from a Blob. A token known (GET /v1/me) to lack the `export` scope sees the
 * buttons disabled, with the reason as their description and tooltip, instead of a refusal on click.
 */
export function ExportMenu({ params }: { params: () => Params }) {
  const token = useToken();
  const allowed = useHasScope('export') !== false;
  const reasonId = useId();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (format: 'csv' | 'ndjson') => {
    setBusy(format);
    setError(null);
    try {
      const res = await api.exportFile(token, { ...params(), format });
      const blob = await res.blob();
      const name = fileName(res.headers.get('content-disposition')) ?? `auditlog-${stamp()}.${format}`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  // aria-disabled rather than disabled: the buttons stay focusable, so keyboard and screen reader users
  // reach them and hear why they do nothing; the tooltip says the same to a mouse.
  const button = (format: 'csv' | 'ndjson', label: string) => (
    <button
      type="button"
      onClick={allowed ? () => run(format) : undefined}
      disabled={allowed && busy !== null}
      aria-disabled={allowed ? undefined : true}
      aria-describedby={allowed ? undefined : reasonId}
      title={allowed ? `Download the events of the current filter as ${label}` : NO_SCOPE}
    >
      {busy === format ? 'Exporting…' : label}
    </button>
  );
  return (
    <fieldset className="export-menu">
      <legend className="label">Export</legend>
      <div className="button-group">
        {button('csv', 'CSV')}
        {button('ndjson', 'NDJSON')}
      </div>
      {allowed ? null : (
        <span id={reasonId} className="visually-hidden">
          {NO_SCOPE}
        </span>
      )}
      {error ? (
        <span className="field-error" role="alert">
          Export failed: {error}
        </span>
      ) : null}
    </fieldset>
  );
}

function fileName(disposition: string | null): string | undefined {
  const m = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return m?.[1]?.replace(/[^\w.-]/g, '_');
}

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replaceAll(':', '-');
}
