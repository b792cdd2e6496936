import type { CatalogCategory } from '../api/types.ts';

export interface CategoryOption {
  key: string;
  label: string;
  description?: string;
}

/** Lookups over the server's category catalog (GET /v1/catalog). */
export interface CatalogIndex {
  /** The categories in the server's order; empty while the catalog is unknown. */
  categories: CategoryOption[];
  /** False until the server's catalog (or a copy kept for this tab) is in. */
  known: boolean;
  /** The label of a category; its key while the catalog is unknown or does not list it. */
  categoryLabel: (key: string) => string;
  /** The label of an event type the catalog tracks (`carrier.updated` → "Carrier updated"), if any. */
  eventTypeLabel: (eventType: string) => string | undefined;
}

export function catalogIndex(catalog: CatalogCategory[] | undefined): CatalogIndex {
  const categories = (catalog ?? []).map((c) => ({ key: c.key, label: c.label, description: c.description }));
  const labels = new Map(categories.map((c) => [c.key, c.label]));
  const eventTypes = new Map<string, string>();
  for (const c of catalog ?? []) for (const a of c.actions) eventTypes.set(a.eventType, a.label);
  return {
    categories,
    known: catalog !== undefined,
    categoryLabel: (key) => labels.get(key) ?? key,
    eventTypeLabel: (eventType) => eventTypes.get(eventType),
  };
}
