import { useCallback, useEffect, useRef, useState } from 'react';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetPages<T> {
  items: T[];
  /** True until the first page of the current query has arrived. */
  initialLoading: boolean;
  /** The query the items belong to (null before any first page has arrived). */
  loadedKey: string | null;
  loadingMore: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  retry: () => void;
  /** Starts the current query again from its first page. */
  reload: () => void;
  /** Replaces the loaded items (live mode merges new events in). */
  setItems: (update: (items: T[]) => T[]) => void;
}

/**
 * Keyset paging: the first page when `queryKey` changes, the next (by `nextCursor`) on `loadMore`. A
 * response to a query that is no longer current is dropped, so quick filter changes never mix results.
 */
export function useKeysetPages<T>(
  queryKey: string,
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
): KeysetPages<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [initialLoading, setInitialLoading] = useState(true);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const currentKey = useRef(queryKey);
  const moreController = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query or a retry restarts from the top
  useEffect(() => {
    currentKey.current = queryKey;
    moreController.current?.abort();
    const controller = new AbortController();
    setInitialLoading(true);
    setLoadingMore(false);
    setError(null);
    fetchRef.current(null, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setItemsState(page.items);
        setCursor(page.nextCursor);
        setLoadedKey(queryKey);
        setInitialLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setItemsState([]);
        setCursor(null);
        setLoadedKey(null);
        setError(e);
        setInitialLoading(false);
      },
    );
    return () => controller.abort();
  }, [queryKey, attempt]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore || initialLoading || error) return;
    const key = currentKey.current;
    const controller = new AbortController();
    moreController.current = controller;
    setLoadingMore(true);
    fetchRef.current(cursor, controller.signal).then(
      (page) => {
        if (controller.signal.aborted || key !== currentKey.current) return;
        setItemsState((old) => [...old, ...page.items]);
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted || key !== currentKey.current) return;
        setError(e);
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore, initialLoading, error]);

  // With a cursor (rows loaded, or a search that has covered part of the log), retry goes on from it.
  const retry = useCallback(() => {
    if (items.length === 0 && cursor === null) setAttempt((a) => a + 1);
    else setError(null);
  }, [items.length, cursor]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);

  return {
    items,
    reload,
    initialLoading,
    loadedKey,
    loadingMore,
    error,
    hasMore: cursor !== null,
    loadMore,
    retry,
    setItems: setItemsState,
  };
}
