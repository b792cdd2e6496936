import type { ApiErrorBody } from './types.ts';

/** A failed API call: the contract's error code and message, or `network` when no answer came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Params = Record<string, string | string[] | number | boolean | undefined | null>;

/** Builds a query string; arrays repeat the parameter (`action=create&action=update`), empties are left out. */
export function toQuery(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) if (v !== '') search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

let unauthorizedListener: ((error: ApiError) => void) | undefined;

/** Called once per 401, so the app can drop the token and go back to sign-in. */
export function onUnauthorized(listener: (error: ApiError) => void): void {
  unauthorizedListener = listener;
}

/**
 * A call to the API with the bearer token. Errors become ApiError with the contract's code; a 401 also
 * tells the unauthorized listener unless `quiet401` (the sign-in page checks tokens itself).
 */
export async function apiFetch(
  token: string,
  path: string,
  init: { signal?: AbortSignal; quiet401?: boolean; accept?: string; method?: string; json?: unknown } = {},
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: init.accept ?? 'application/json',
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      signal: init.signal,
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The audit log server could not be reached.');
  }
  if (res.ok) return res;
  const error = await readError(res);
  if (res.status === 401 && !init.quiet401) unauthorizedListener?.(error);
  throw error;
}

export async function apiJson<T>(
  token: string,
  path: string,
  init: { signal?: AbortSignal; quiet401?: boolean; method?: string; json?: unknown } = {},
): Promise<T> {
  const res = await apiFetch(token, path, init);
  return (await res.json()) as T;
}

async function readError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body.error && typeof body.error.message === 'string') {
      return new ApiError(res.status, body.error.code, body.error.message, body.error.details ?? []);
    }
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiError(
    res.status,
    `http_${res.status}`,
    `The server answered ${res.status} ${res.statusText}`,
  );
}

/** True for errors that mean "this server has no such endpoint yet" rather than "nothing found". */
export function isMissingEndpoint(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    ((error.status === 404 && /No route/.test(error.message)) ||
      (error.status === 403 && /declares no scope/.test(error.message)))
  );
}
