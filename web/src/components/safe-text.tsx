import { Fragment } from 'react';
import { codeOf, HAS_HIDDEN, HIDDEN } from './hidden-chars.ts';

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
    parts.push({ code: codeOf(m[0]) });
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
  return value.replace(HIDDEN, (c) => `[${codeOf(c)}]`);
}
