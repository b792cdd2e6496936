import { useState } from 'react';
import { formatLocal } from '../format/format-time.ts';
import { type LiveArrivals, nextArrival } from '../live/live-arrivals.ts';

/**
 * Live mode on/off. While on, says when it last checked (or that checking fails), and how many events have
 * arrived since it was switched on; "Show" moves to them one after the other in table order, newest first
 * (a late event is placed further down, by its time). Only the arrivals are announced to screen readers,
 * not every check.
 */
export function LiveToggle(props: {
  live: boolean;
  onChange: (live: boolean) => void;
  lastPoll: Date | null;
  error: unknown;
  arrivals: LiveArrivals | null;
  onShow: (id: string) => void;
}) {
  const { arrivals } = props;
  // The arrival "Show" moved to last: the next press goes on from there, whatever arrived meanwhile.
  const [lastShown, setLastShown] = useState<string | null>(null);
  const n = arrivals?.ids.length ?? 0;
  const shownAt = lastShown === null ? -1 : (arrivals?.ids.indexOf(lastShown) ?? -1);
  const next = arrivals && n > 0 ? nextArrival(arrivals, lastShown) : 0;
  return (
    <div className="live-toggle">
      <button
        type="button"
        aria-pressed={props.live}
        className={props.live ? 'live-on' : ''}
        onClick={() => props.onChange(!props.live)}
      >
        <span className="live-dot" aria-hidden="true" />
        Live
      </button>
      {props.live ? (
        <span className="muted small live-checked">
          {props.error
            ? 'Cannot reach the server; retrying'
            : props.lastPoll
              ? `Checked ${formatLocal(props.lastPoll.toISOString()).slice(11)}`
              : 'Starting…'}
        </span>
      ) : null}
      <span className="small live-arrivals" aria-live="polite">
        {props.live && arrivals && n > 0 ? (
          <>
            {`${n} new event${n === 1 ? '' : 's'}`}
            {arrivals.late > 0
              ? ` (${arrivals.late === n ? '' : `${arrivals.late} `}with an earlier time, placed further down)`
              : ''}
          </>
        ) : null}
      </span>
      {props.live && arrivals && n > 0 ? (
        <button
          type="button"
          className="link"
          onClick={() => {
            const id = arrivals.ids[next]!;
            props.onShow(id);
            setLastShown(id);
          }}
        >
          {n > 1 && shownAt >= 0 ? `Next (${next + 1} of ${n})` : 'Show'}
        </button>
      ) : null}
    </div>
  );
}
