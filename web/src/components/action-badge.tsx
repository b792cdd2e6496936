import { SafeText } from './safe-text.tsx';

const KNOWN = new Set(['create', 'update', 'delete']);

/** create / update / delete as a coloured badge; the word is always written, colour is only a hint. */
export function ActionBadge({ action }: { action: string }) {
  const kind = KNOWN.has(action) ? action : 'other';
  return (
    <span className={`badge badge-${kind}`}>
      <SafeText value={action} />
    </span>
  );
}
