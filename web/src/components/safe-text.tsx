import { Fragment } from 'react';

/**
 * Invisible characters that could disguise a stored value: bidi overrides and isolates (a "Trojan source"
 * RTL override can make `exe.txt` read `txt.exe`), zero-width characters and C0/C1 controls.
 */
const HIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** The same set without the global flag, for a test that keeps no lastIndex state between calls. */
const HAS_HIDDEN = new RegExp(HIDDEN.source);

/**
 * A stored value rendered as text, never markup: isolated with <bdi> so right-to-left text cannot reorder
 * its neighbours, and every hidden control character shown as a visible `U+202E` chip.
 */
export function SafeText({
  value,
  className,
}: {
  value: string | number | null | undefined;
  className?: string;
}) {
  const text = value === null || value === undefined ? '' : String(value);
  if (!HAS_HIDDEN.test(text)) {
    return (
      <bdi className={className} dir="auto">
        {text}
      </bdi>
    );
  }
  const parts: (string | { code: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ code: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <bdi className={className} dir="auto">
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string never reorder
          <Fragment key={i}>{p}</Fragment>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string never reorder
          <span key={i} className="hidden-char" title={`Hidden character ${p.code}`}>
            {p.code}
          </span>
        ),
      )}
    </bdi>
  );
}

/** Plain text with the same substitutions, for title attributes and accessible names. */
export function visibleText(value: string): string {
  return value.replace(HIDDEN, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}
