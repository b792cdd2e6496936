import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  type Ref,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { AuditEvent } from '../api/types.ts';
import { localZoneName } from '../format/format-time.ts';
import { useElementWidth } from '../hooks/use-element-width.ts';
import { EventRow } from './event-row.tsx';

interface EventTableProps {
  label: string;
  events: AuditEvent[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  selectedId?: string;
  fresh?: ReadonlySet<string>;
  onOpen: (event: AuditEvent) => void;
  onOpenTarget: (event: AuditEvent) => void;
  /** Lets the page move to a row (live mode's "Show"). */
  handle?: Ref<EventTableHandle>;
}

export interface EventTableHandle {
  /** Scrolls the row of event `id` into view and focuses it. */
  reveal: (id: string) => void;
}

const WIDE_ROW = 44;
const NARROW_ROW = 92;
const NARROW_BELOW = 860;
const PAGE_KEYS: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };

/**
 * The events as a virtualised ARIA table: only the rows in view exist in the DOM, and the next keyset page
 * loads when the reader scrolls near the end. Rows take focus one at a time (roving tabindex): arrows,
 * Page Up/Down, Home and End move; Enter opens the detail, H the target's history.
 */
export function EventTable(props: EventTableProps) {
  const { events, hasMore, loadingMore, onLoadMore } = props;
  const tableRef = useRef<HTMLDivElement>(null);
  // Cards instead of columns when the table itself is narrow: a small window, or the detail panel open.
  const width = useElementWidth(tableRef);
  const narrow = width > 0 && width < NARROW_BELOW;
  const rowHeight = narrow ? NARROW_ROW : WIDE_ROW;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: row height changes with the layout
  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  // Keeps what the reader looks at in place when live mode inserts rows above it: the first row in view
  // is remembered, and after an insertion the scroll position follows it. At the very top nothing is
  // held, so new events appear there.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const rememberAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const index = Math.floor(el.scrollTop / rowHeight);
    const e = events[index];
    anchor.current = e && el.scrollTop > 0 ? { id: e.id, offset: el.scrollTop - index * rowHeight } : null;
  }, [events, rowHeight]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the rows change
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const a = anchor.current;
    if (el && a) {
      const index = events.findIndex((e) => e.id === a.id);
      const want = index * rowHeight + a.offset;
      if (index >= 0 && Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
    }
    rememberAnchor();
  }, [events]);
  useEffect(() => {
    const el = scrollRef.current;
    el?.addEventListener('scroll', rememberAnchor, { passive: true });
    return () => el?.removeEventListener('scroll', rememberAnchor);
  }, [rememberAnchor]);

  useEffect(() => {
    if (active >= events.length) setActive(Math.max(0, events.length - 1));
  }, [active, events.length]);

  const items = virtualizer.getVirtualItems();
  // The row that takes Tab: the last focused one, or the first in view when that one scrolled away.
  const tabIndexRow = items.some((v) => v.index === active) ? active : (items[0]?.index ?? 0);
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= events.length - 20) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, events.length, onLoadMore]);

  const focusRow = useCallback(
    (index: number) => {
      setActive(index);
      const rowAt = () => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
      const row = rowAt();
      if (row) {
        row.focus();
        return;
      }
      virtualizer.scrollToIndex(index, { align: 'auto' });
      requestAnimationFrame(() => rowAt()?.focus());
    },
    [virtualizer],
  );

  useImperativeHandle(
    props.handle,
    () => ({
      reveal: (id) => {
        const index = events.findIndex((e) => e.id === id);
        if (index >= 0) focusRow(index);
      },
    }),
    [events, focusRow],
  );

  const onKeyDown = (ev: KeyboardEvent) => {
    if (events.length === 0) return;
    // The focused row is the truth: keys pressed faster than React renders still move one row each.
    const from = Number(
      (ev.target as HTMLElement).closest('[data-index]')?.getAttribute('data-index') ?? active,
    );
    let next: number | undefined;
    if (ev.key in PAGE_KEYS) next = from + PAGE_KEYS[ev.key]!;
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = events.length - 1;
    if (next === undefined) return;
    ev.preventDefault();
    focusRow(Math.min(events.length - 1, Math.max(0, next)));
  };

  return (
    <div ref={tableRef} className="event-table-wrap">
      <div
        role="table"
        aria-label={props.label}
        aria-rowcount={hasMore ? -1 : events.length + 1}
        className={`event-table${narrow ? ' narrow' : ''}`}
      >
        <div role="rowgroup" className="thead">
          <div role="row" aria-rowindex={1} className="row row-head">
            <div role="columnheader" className="cell cell-time">
              Time <span className="muted">({localZoneName()})</span>
            </div>
            <div role="columnheader" className="cell cell-user">
              User
            </div>
            <div role="columnheader" className="cell cell-action">
              Action
            </div>
            <div role="columnheader" className="cell cell-category">
              Category
            </div>
            <div role="columnheader" className="cell cell-target">
              Target
            </div>
            <div role="columnheader" className="cell cell-ip">
              IP address
            </div>
            <div role="columnheader" className="cell cell-summary">
              Changes
            </div>
          </div>
        </div>
        {/* An ARIA table: a virtualised list of absolutely placed rows cannot be a <tbody>. */}
        <div ref={scrollRef} className="tbody">
          <div
            role="rowgroup"
            className="tbody-inner"
            style={{ height: virtualizer.getTotalSize() }}
            onKeyDown={onKeyDown}
          >
            {items.map((v) => {
              const e = events[v.index]!;
              return (
                <EventRow
                  key={e.id}
                  event={e}
                  rowIndex={v.index}
                  style={{ transform: `translateY(${v.start}px)`, height: rowHeight }}
                  focusable={v.index === tabIndexRow}
                  selected={e.id === props.selectedId}
                  fresh={props.fresh?.has(e.id) ?? false}
                  onOpen={props.onOpen}
                  onOpenTarget={props.onOpenTarget}
                  onFocusRow={setActive}
                />
              );
            })}
          </div>
        </div>
      </div>
      <div className="table-footer" aria-live="polite">
        {loadingMore
          ? 'Loading more events…'
          : hasMore
            ? `${events.length.toLocaleString()} events loaded; scroll for more`
            : `${events.length.toLocaleString()} event${events.length === 1 ? '' : 's'} shown — end of results`}
      </div>
    </div>
  );
}
