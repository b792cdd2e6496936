import { type ReactNode, useId, useState } from 'react';
import { useMediaQuery } from '../hooks/use-media-query.ts';

/**
 * On a narrow window the filters fold behind a "Filters" button (with the number in use), so the table keeps
 * the screen; on a wide one they are always shown.
 */
export function CollapsibleFilters({ active, children }: { active: number; children: ReactNode }) {
  const narrow = useMediaQuery('(max-width: 699px)');
  const [open, setOpen] = useState(false);
  const id = useId();
  if (!narrow) return <>{children}</>;
  return (
    <div className="collapsible-filters">
      <button type="button" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {open ? 'Hide filters' : 'Filters'}
        {active > 0 ? ` (${active})` : ''}
      </button>
      <div id={id} hidden={!open}>
        {children}
      </div>
    </div>
  );
}
