import type { CSSProperties, KeyboardEvent, MouseEvent } from 'react';
import type { AuditEvent } from '../api/types.ts';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import { actorNames, changeSummary, targetLabel } from '../format/format-value.ts';
import { ActionBadge } from './action-badge.tsx';
import { SafeText, visibleText } from './safe-text.tsx';
import { TimeText } from './time-cell.tsx';

interface EventRowProps {
  event: AuditEvent;
  rowIndex: number;
  style: CSSProperties;
  focusable: boolean;
  selected: boolean;
  fresh: boolean;
  onOpen: (event: AuditEvent) => void;
  onOpenTarget: (event: AuditEvent) => void;
  onFocusRow: (index: number) => void;
}

/** One event as a table row: every value is text; the target is a link to the entity's history. */
export function EventRow(props: EventRowProps) {
  const { event: e, rowIndex, style, focusable, selected, fresh } = props;
  const { categoryLabel } = useCatalog();
  const who = actorNames(e.actor);
  const target = targetLabel(e.target);
  const summary = changeSummary(e);
  const openTarget = (ev: MouseEvent) => {
    ev.stopPropagation();
    props.onOpenTarget(e);
  };
  const onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      props.onOpen(e);
    } else if (ev.key === 'h' || ev.key === 'H') {
      ev.preventDefault();
      props.onOpenTarget(e);
    }
  };
  return (
    <div
      role="row"
      aria-rowindex={rowIndex + 2}
      aria-selected={selected}
      tabIndex={focusable ? 0 : -1}
      data-event-id={e.id}
      data-index={rowIndex}
      className={`row${selected ? ' row-selected' : ''}${fresh ? ' row-fresh' : ''}`}
      style={style}
      onClick={() => props.onOpen(e)}
      onFocus={() => props.onFocusRow(rowIndex)}
      onKeyDown={onKeyDown}
    >
      <div role="cell" className="cell cell-time">
        <TimeText iso={e.occurredAt} />
      </div>
      <div role="cell" className="cell cell-user" title={visibleText(`${who.primary} ${who.secondary}`)}>
        <SafeText className="user-name" value={who.primary} />
        {who.secondary ? <SafeText className="user-handle" value={who.secondary} /> : null}
      </div>
      <div role="cell" className="cell cell-action">
        <ActionBadge action={e.action} />
      </div>
      <div role="cell" className="cell cell-category">
        <SafeText value={categoryLabel(e.category)} />
      </div>
      <div role="cell" className="cell cell-target" title={visibleText(target)}>
        <button type="button" className="link" tabIndex={-1} onClick={openTarget}>
          <SafeText value={target} />
        </button>
      </div>
      <div role="cell" className="cell cell-ip" title={e.ip}>
        <SafeText value={e.ip ?? ''} />
      </div>
      <div role="cell" className="cell cell-summary" title={visibleText(summary)}>
        <SafeText value={summary} />
      </div>
    </div>
  );
}
