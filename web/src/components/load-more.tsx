import type { KeysetPages } from '../hooks/use-keyset-pages.ts';
import { ErrorBox } from './state-views.tsx';

/** The next keyset page on request, for the plain (non-virtualised) tables. */
export function LoadMore<T>({ pages }: { pages: KeysetPages<T> }) {
  if (pages.error) return <ErrorBox error={pages.error} onRetry={pages.retry} />;
  if (!pages.hasMore)
    return (
      <p className="muted small table-end">{pages.items.length.toLocaleString()} shown — end of results</p>
    );
  return (
    <button type="button" className="load-more" onClick={pages.loadMore} disabled={pages.loadingMore}>
      {pages.loadingMore ? 'Loading…' : 'Load more'}
    </button>
  );
}
