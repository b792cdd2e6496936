import { useMemo } from 'react';
import type { Change } from '../api/types.ts';
import { alignValues, type DiffRow, isTruncated, type Side } from '../format/aligned-diff.ts';
import { SafeText } from './safe-text.tsx';

/**
 * Old value beside new value, row by row, with the paths in `changes` highlighted. A changed secret reads
 * "changed (redacted)": the reader learns that it changed, never what it was.
 */
export function ValueDiff({
  oldValue,
  newValue,
  changes,
}: {
  oldValue: unknown;
  newValue: unknown;
  changes: Change[];
}) {
  const rows = useMemo(
    () =>
      alignValues(
        oldValue,
        newValue,
        changes.map((c) => c.path),
      ),
    [oldValue, newValue, changes],
  );
  if (oldValue == null && newValue == null) return <p className="muted">No old or new value was recorded.</p>;
  return (
    <>
      <table className="value-diff">
        <caption className="visually-hidden">
          Old and new value side by side; changed fields are marked
        </caption>
        <thead>
          <tr>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.kind}${r.pointer}`}
              className={r.mark ? `diff-${r.mark}` : undefined}
              data-path={r.kind === 'close' ? undefined : r.pointer}
              data-mark={r.mark ?? undefined}
            >
              <DiffCell row={r} side={r.old} which="old" />
              <DiffCell row={r} side={r.new} which="new" />
            </tr>
          ))}
        </tbody>
      </table>
      {isTruncated(rows) ? <p className="muted">The values are too large to show in full.</p> : null}
    </>
  );
}

function DiffCell({ row, side, which }: { row: DiffRow; side: Side; which: 'old' | 'new' }) {
  const indent = { paddingInlineStart: `${0.5 + row.depth * 1.1}rem` };
  if (!side) {
    return (
      <td className="diff-cell diff-absent" style={indent}>
        <span className="visually-hidden">absent</span>
      </td>
    );
  }
  const changedSecret = row.mark === 'changed' && side.redacted !== undefined;
  return (
    <td className={`diff-cell diff-${which}`} style={indent}>
      {row.label && row.kind !== 'close' ? (
        <span className="diff-key">
          <SafeText value={row.label} />:{' '}
        </span>
      ) : null}
      {side.redacted !== undefined ? (
        <span className="redacted" title={`Secret, fingerprint ${side.redacted}`}>
          {changedSecret ? 'changed (redacted)' : '(redacted)'}
        </span>
      ) : (
        <SafeText className={row.kind === 'leaf' ? 'diff-value' : 'diff-bracket'} value={side.text} />
      )}
      {row.mark === 'changed' ? <span className="visually-hidden"> (changed)</span> : null}
    </td>
  );
}
