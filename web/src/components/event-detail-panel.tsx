import { api } from '../api/endpoints.ts';
import type { AuditEvent } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { DetailPanel, EventDetail } from './event-detail.tsx';
import { ErrorBox, Loading } from './state-views.tsx';

/** The detail panel of one event: the row already loaded, or GET /v1/events/{id} for a shared link. */
export function EventDetailPanel({
  id,
  known,
  onClose,
}: {
  id: string;
  known?: AuditEvent;
  onClose: () => void;
}) {
  const token = useToken();
  const fetched = useAsync(
    (signal) => (known ? Promise.resolve(known) : api.event(token, id, { signal })),
    [id, token],
  );
  const event = known ?? (fetched.data?.id === id ? fetched.data : undefined);
  return (
    <DetailPanel title="Event details" onClose={onClose}>
      {event ? (
        <EventDetail event={event} />
      ) : fetched.error ? (
        <ErrorBox error={fetched.error} onRetry={fetched.reload} />
      ) : (
        <Loading label="Loading the event…" />
      )}
    </DetailPanel>
  );
}
