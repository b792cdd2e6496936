import { DEFAULT_CATALOG } from '../../../src/core/catalog.ts';

/**
 * The seed's eight categories and their labels. The list is the server's default catalog (a pure data
 * module, bundled at build time); a category the catalog does not know is shown by its key.
 */
export const CATEGORIES: { key: string; label: string }[] = DEFAULT_CATALOG.map((c) => ({
  key: c.key,
  label: c.label,
}));

export function categoryLabel(key: string): string {
  return CATEGORIES.find((c) => c.key === key)?.label ?? key;
}
