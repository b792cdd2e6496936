import { useState } from 'react';
import type { Params } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';

/**
 * Export of the current filter as CSV or NDJSON: fetched with the Authorization header (the token never
 * goes into a URL) and saved from a Blob.
 */
export function ExportMenu({ params }: { params: () => Params }) {
  const token = useToken();
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

  return (
    <fieldset className="export-menu">
      <legend className="label">Export</legend>
      <div className="button-group">
        <button type="button" onClick={() => run('csv')} disabled={busy !== null}>
          {busy === 'csv' ? 'Exporting…' : 'CSV'}
        </button>
        <button type="button" onClick={() => run('ndjson')} disabled={busy !== null}>
          {busy === 'ndjson' ? 'Exporting…' : 'NDJSON'}
        </button>
      </div>
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
