import { ApiError } from '../api/client.ts';

/** A refused form: the server's message, each detail under the field it names, and those naming none. */
export interface FormErrors {
  message: string;
  /** Field key (`url`, `port`, `filter.categories` …) → the server's messages for it. */
  fields: Record<string, string[]>;
  /** Details whose path names no field the form shows, with their path. */
  other: string[];
}

/**
 * Sorts a 4xx's details (JSON Pointers into the body: `/url`, `/filter/categories/0`) onto the form's
 * fields, so that each message is shown next to the field it is about. `known` lists the form's field keys.
 */
export function formErrors(error: unknown, known: readonly string[]): FormErrors {
  if (!(error instanceof ApiError))
    return { message: error instanceof Error ? error.message : String(error), fields: {}, other: [] };
  const fields: Record<string, string[]> = {};
  const other: string[] = [];
  for (const d of error.details) {
    const parts = d.path.split('/').filter(Boolean);
    const key = parts[0] === 'filter' && parts[1] ? `filter.${parts[1]}` : (parts[0] ?? '');
    if (known.includes(key)) fields[key] = [...(fields[key] ?? []), d.message];
    else other.push(`${d.path || 'body'} ${d.message}`);
  }
  return { message: error.message, fields, other };
}
