import { useEffect, useId, useState } from 'react';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import type { AuditFilter } from '../filters/audit-filter.ts';
import { applyQuery, parseQuery } from '../query-syntax.ts';
import { QueryHelp } from './query-help.tsx';

/**
 * The keyword box. Plain words search every field; `key:value` terms (see QueryHelp) are lifted into the
 * matching filters, which then show in their own controls and in the URL, and the box keeps the words.
 */
export function KeywordSearch({
  filter,
  onApply,
}: {
  filter: AuditFilter;
  onApply: (f: AuditFilter) => void;
}) {
  const id = useId();
  const { categories } = useCatalog();
  const [text, setText] = useState(filter.q ?? '');
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => setText(filter.q ?? ''), [filter.q]);

  const submit = () => {
    const parsed = parseQuery(text, categories);
    setErrors(parsed.errors);
    if (parsed.errors.length > 0) return;
    setText(parsed.keywords);
    onApply(applyQuery(filter, parsed));
  };

  return (
    <search className="keyword-search">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={id}>Search</label>
        <div className="keyword-row">
          <input
            id={id}
            name="q"
            type="search"
            value={text}
            placeholder='keywords, "a phrase", or user:jane.admin action:update category:telephony after:2026-01-01'
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-help${errors.length ? ` ${id}-errors` : ''}`}
            aria-invalid={errors.length > 0 ? true : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit">Search</button>
        </div>
      </form>
      {errors.length > 0 ? (
        <ul id={`${id}-errors`} className="field-error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <QueryHelp id={`${id}-help`} />
    </search>
  );
}
