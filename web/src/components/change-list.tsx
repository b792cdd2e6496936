import type { Change } from '../api/types.ts';
import { isRedacted, readablePath } from '../format/format-value.ts';
import { SafeText } from './safe-text.tsx';

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '∅';
  return JSON.stringify(v) ?? String(v);
}

/** The field-level changes as a list: path, before, after; secrets as "changed (redacted)". */
export function ChangeList({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="change-list">
      <caption className="visually-hidden">Changed fields</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path} data-change-path={c.path}>
            <th scope="row">
              <code>
                <SafeText value={readablePath(c.path)} />
              </code>
            </th>
            {isRedacted(c.old) || isRedacted(c.new) ? (
              <td colSpan={2} className="redacted">
                changed (redacted)
              </td>
            ) : (
              <>
                <td className="change-old">
                  <SafeText value={valueText(c.old)} />
                </td>
                <td className="change-new">
                  <SafeText value={valueText(c.new)} />
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
