import { useState } from 'react';
import { SafeText } from './safe-text.tsx';

const LIMIT = 400;

/** Long free text (a reason, a user agent) cut at a few lines, with a button to show all of it. */
export function ExpandableText({ value }: { value: string }) {
  const [open, setOpen] = useState(false);
  if (value.length <= LIMIT) return <SafeText value={value} />;
  return (
    <>
      <SafeText value={open ? value : `${value.slice(0, LIMIT)}…`} />{' '}
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all ${value.length.toLocaleString()} characters`}
      </button>
    </>
  );
}
