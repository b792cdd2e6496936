import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api/endpoints.ts';
import type { CatalogCategory } from '../api/types.ts';
import { tabStorage } from '../auth/tab-storage.ts';
import { type CatalogIndex, catalogIndex } from './catalog-index.ts';

const CACHE_KEY = 'auditlog.catalog';
const CatalogContext = createContext<CatalogIndex>(catalogIndex(undefined));

/**
 * The server's category catalog (GET /v1/catalog): category labels, the category filter's choices, event
 * type labels. A deployment may configure its own catalog, so the UI bundles none. Until the answer is in,
 * the copy kept for this tab (sessionStorage) serves, or, on a first visit, the keys stand for their labels.
 */
export function CatalogProvider({ token, children }: { token: string; children: ReactNode }) {
  const [catalog, setCatalog] = useState<CatalogCategory[] | undefined>(readCached);

  useEffect(() => {
    const controller = new AbortController();
    api.catalog(token, { signal: controller.signal }).then(
      (r) => {
        setCatalog(r.categories);
        tabStorage().setItem(CACHE_KEY, JSON.stringify(r.categories));
      },
      () => undefined, // keys instead of labels; filtering by category still works through the URL and syntax
    );
    return () => controller.abort();
  }, [token]);

  const index = useMemo(() => catalogIndex(catalog), [catalog]);
  return <CatalogContext.Provider value={index}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): CatalogIndex {
  return useContext(CatalogContext);
}

function readCached(): CatalogCategory[] | undefined {
  try {
    const cached = JSON.parse(tabStorage().getItem(CACHE_KEY) ?? 'null') as unknown;
    return Array.isArray(cached) ? (cached as CatalogCategory[]) : undefined;
  } catch {
    return undefined;
  }
}
