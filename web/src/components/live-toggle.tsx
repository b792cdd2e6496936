import { formatLocal } from '../format/format-time.ts';

/** Live mode on/off; while on, says when it last checked (and if checking fails). */
export function LiveToggle(props: {
  live: boolean;
  onChange: (live: boolean) => void;
  lastPoll: Date | null;
  error: unknown;
}) {
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
        <span className="muted small" aria-live="polite">
          {props.error
            ? 'Cannot reach the server; retrying'
            : props.lastPoll
              ? `Checked ${formatLocal(props.lastPoll.toISOString()).slice(11)}`
              : 'Starting…'}
        </span>
      ) : null}
    </div>
  );
}
