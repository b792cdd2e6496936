import { useState } from 'react';
import { formatLocal } from '../format/format-time.ts';
import type { LiveArrivals } from '../hooks/use-live-events.ts';

/**
 * Live mode on/off. While on, says when it last checked (or that checking fails), and how many events the
 * last arrivals brought; "Show" moves to them one after the other (a late event is placed further down,
 * by its time). Only the arrivals are announced to screen readers, not every check.
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
  // How many times "Show" was pressed for these arrivals (new arrivals start again at the first).
  const [shown, setShown] = useState<{ of: LiveArrivals | null; count: number }>({ of: null, count: 0 });
  const next = shown.of === arrivals ? shown.count : 0;
  const n = arrivals?.ids.length ?? 0;
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
            props.onShow(arrivals.ids[next % n]!);
            setShown({ of: arrivals, count: next + 1 });
          }}
        >
          {n > 1 && next > 0 ? `Next (${(next % n) + 1} of ${n})` : 'Show'}
        </button>
      ) : null}
    </div>
  );
}
