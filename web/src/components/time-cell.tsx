import { formatLocal, formatUtc } from '../format/format-time.ts';

/** A timestamp in local time; the exact UTC instant on hover and for assistive technology. */
export function TimeText({ iso, seconds = true }: { iso: string; seconds?: boolean }) {
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocal(iso, seconds)}
    </time>
  );
}
